//! Per-model queries: analysis (inference plus the producer-side contract
//! check) and the model's signature, the position-free shape consumers see.

use mesh_diagnostics::{Diagnostic, TextRange};
use mesh_syntax::ParsedModel;

use crate::db::{Db, ModelId};
use crate::index::{domain_scope, parse_contract_file, parse_model_file};
use crate::infer::{Dependency, Inferred, ProductUse, infer_model};
use crate::lower::NoLowering;
use crate::relation::Relation;

/// Everything known about one model after checking it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ModelAnalysis {
    /// `None` when the model does not parse.
    pub relation: Option<Relation>,
    pub column_ranges: Vec<TextRange>,
    pub dependencies: Vec<Dependency>,
    /// Columns of other domains' products it reads, with where.
    pub product_uses: Vec<ProductUse>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses, infers and contract-checks one model.
#[salsa::tracked(returns(ref))]
pub fn analyze_model<'db>(db: &'db dyn Db, model: ModelId<'db>) -> ModelAnalysis {
    if let Some(cached) = crate::warm::analysis(db, model) {
        return cached;
    }
    // Inference recurses once per level of the tree (bounded by mesh_syntax::MAX_TREE_DEPTH).
    mesh_syntax::with_stack(|| analyze(db, model))
}

fn analyze<'db>(db: &'db dyn Db, model: ModelId<'db>) -> ModelAnalysis {
    let domain = model.domain(db);
    let scope = domain_scope(db, domain);
    let Some((_, file)) = scope.models.get(&model.name(db).to_ascii_lowercase()) else {
        return ModelAnalysis::default();
    };
    db.note_inference(domain.name(db), model.name(db));
    let ParsedModel {
        query,
        line_index,
        diagnostics,
    } = parse_model_file(db, *file);
    let mut analysis = ModelAnalysis {
        diagnostics,
        ..ModelAnalysis::default()
    };
    let Some(mut query) = query else {
        return analysis;
    };
    let parse_diagnostics = analysis.diagnostics.len();
    let path = file.path(db);
    let Inferred {
        relation,
        column_ranges,
        dependencies,
        product_uses,
        diagnostics,
    } = infer_model(
        db,
        model,
        path,
        file.text(db),
        &line_index,
        &mut query,
        &mut NoLowering,
    );
    analysis.diagnostics.extend(diagnostics);
    // Without lowering, inference leaves the tree as parsed.
    #[cfg(debug_assertions)]
    same_references(db, scope, &query, &dependencies, &analysis.diagnostics);
    if db.keep_analyzed_trees() {
        let tree = ParsedModel {
            query: Some(query),
            line_index,
            diagnostics: analysis.diagnostics[..parse_diagnostics].to_vec(),
        };
        db.stash_parse(*file, file.text(db), tree);
    }
    if let Some(contract_file) = scope.contracts.get(&model.name(db).to_ascii_lowercase()) {
        let contract_path = contract_file.path(db).clone();
        if let Some(contract) = &parse_contract_file(db, *contract_file).0 {
            let whole_query = TextRange::new(0, file.text(db).trim_end().len() as u32);
            crate::contract_check::check_producer(
                contract,
                &contract_path,
                &relation,
                &column_ranges,
                path,
                whole_query,
                &mut analysis.diagnostics,
            );
        }
    }
    analysis.relation = Some(relation);
    analysis.column_ranges = column_ranges;
    analysis.dependencies = dependencies;
    analysis.product_uses = product_uses;
    analysis
}

/// The model's output shape without positions. Consumers depend on this, so an
/// edit that keeps the shape re-checks nothing downstream (early cutoff).
/// A model that reads itself through a cycle gets `None` inside the cycle.
#[salsa::tracked(returns(ref), cycle_result = signature_in_cycle)]
pub fn model_signature<'db>(db: &'db dyn Db, model: ModelId<'db>) -> Option<Relation> {
    analyze_model(db, model).relation.clone()
}

fn signature_in_cycle<'db>(
    _db: &'db dyn Db,
    _id: salsa::Id,
    _model: ModelId<'db>,
) -> Option<Relation> {
    None
}

/// The dependency graph is built from [`crate::model_references`], a syntactic walk;
/// inference must never read a relation that walk missed (the build order or
/// a cycle would be wrong). Every test and fuzz run in a debug build checks it:
/// the walk finds at least what inference resolves, and exactly that in a
/// model without errors.
#[cfg(debug_assertions)]
fn same_references(
    db: &dyn Db,
    scope: &crate::index::DomainScope,
    query: &mesh_syntax::ast::Query,
    dependencies: &[Dependency],
    diagnostics: &[Diagnostic],
) {
    use std::collections::BTreeSet;
    let walked: BTreeSet<_> = crate::references::query_references(db, scope, query)
        .into_iter()
        .collect();
    let inferred: BTreeSet<_> = dependencies.iter().map(|d| d.target.clone()).collect();
    assert!(
        walked.is_superset(&inferred),
        "the reference walk missed {:?}",
        inferred.difference(&walked).collect::<Vec<_>>()
    );
    if !diagnostics.iter().any(Diagnostic::is_error) {
        assert_eq!(
            walked, inferred,
            "the reference walk found more than inference"
        );
    }
}
