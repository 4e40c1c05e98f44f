//! Per-model queries: analysis (inference plus the producer-side contract
//! check) and the model's signature, the position-free shape consumers see.

use std::sync::Arc;

use mesh_diagnostics::{Diagnostic, TextRange};

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
    let domain = model.domain(db);
    let scope = domain_scope(db, domain);
    let Some((_, file)) = scope.models.get(&model.name(db).to_ascii_lowercase()) else {
        return ModelAnalysis::default();
    };
    let parsed = parse_model_file(db, *file);
    let mut analysis = ModelAnalysis {
        diagnostics: parsed.diagnostics.clone(),
        ..ModelAnalysis::default()
    };
    let Some(query) = &parsed.query else {
        return analysis;
    };
    let mut query = query.clone();
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
        true,
        path,
        file.text(db),
        &parsed.line_index,
        &mut query,
        &mut NoLowering,
    );
    analysis.diagnostics.extend(diagnostics);
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

/// The relations a model reads, without positions, for the DAG. Computed with
/// other models opaque, so it depends on no other model and cannot cycle.
#[salsa::tracked(returns(ref))]
pub fn model_references<'db>(
    db: &'db dyn Db,
    model: ModelId<'db>,
) -> Arc<[crate::lower::RelationTarget]> {
    let domain = model.domain(db);
    let Some((_, file)) = domain_scope(db, domain)
        .models
        .get(&model.name(db).to_ascii_lowercase())
    else {
        return Arc::from(Vec::new());
    };
    let parsed = parse_model_file(db, *file);
    let Some(query) = &parsed.query else {
        return Arc::from(Vec::new());
    };
    let mut query = query.clone();
    let inferred = infer_model(
        db,
        model,
        false,
        file.path(db),
        file.text(db),
        &parsed.line_index,
        &mut query,
        &mut NoLowering,
    );
    let mut targets: Vec<_> = inferred
        .dependencies
        .into_iter()
        .map(|d| d.target)
        .collect();
    targets.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    targets.dedup();
    targets.into()
}
