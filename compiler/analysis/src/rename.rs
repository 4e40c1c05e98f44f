//! Rename: a private model, with every reference to it in its domain, its
//! file and its `domain.yaml` entry. A published product or one of its
//! columns is not renamed: that is a breaking contract change, so the answer
//! names the consumers it would break.

use mesh_diagnostics::TextRange;
use mesh_sema::{DomainId, ModelId, RelationTarget, analyze_model, domain_scope, member_domains};

use crate::actions::FileEdit;
use crate::host::AnalysisHost;
use crate::ide::{FileRange, model_at_path};

/// What a rename changes: text edits and file renames (old path, new path).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RenameEdit {
    pub edits: Vec<FileEdit>,
    pub renames: Vec<(String, String)>,
}

impl AnalysisHost {
    /// The range of the name a rename at `offset` of `path` would change, or
    /// why it cannot be renamed.
    pub fn prepare_rename(&self, path: &str, offset: u32) -> Result<TextRange, String> {
        self.rename_target(path, offset).map(|(range, _)| range)
    }

    /// Renames the model named at `offset` of model file `path` to `new_name`.
    pub fn rename(&self, path: &str, offset: u32, new_name: &str) -> Result<RenameEdit, String> {
        let db = &self.db;
        let (_, model) = self.rename_target(path, offset)?;
        if let Some((_, message, help)) =
            mesh_syntax::name_problem(new_name, mesh_syntax::NameKind::Model)
        {
            return Err(format!("{message}; {help}"));
        }
        let domain = model.domain(db);
        let own = domain.name(db).clone();
        let old = model.name(db).clone();
        let scope = domain_scope(db, domain);
        if scope.models.contains_key(&new_name.to_ascii_lowercase())
            || scope.sources.contains_key(&new_name.to_ascii_lowercase())
        {
            return Err(format!(
                "domain `{own}` already has a model or source named `{new_name}`"
            ));
        }
        let mut edit = RenameEdit::default();
        let target = RelationTarget::Model {
            domain: own.clone(),
            name: old.clone(),
        };
        for (reader, file) in scope.models.values() {
            let analysis = analyze_model(db, ModelId::new(db, domain, reader.clone()));
            let text = file.text(db);
            for dependency in &analysis.dependencies {
                if dependency.target != target {
                    continue;
                }
                let written = text
                    .get(dependency.range.start as usize..dependency.range.end as usize)
                    .unwrap_or("");
                // Only the last part of `domain.name` is the model's name.
                let start = dependency.range.start + written.rfind('.').map_or(0, |d| d as u32 + 1);
                edit.edits.push(FileEdit {
                    at: FileRange {
                        path: file.path(db).to_string(),
                        range: TextRange::new(start, dependency.range.end),
                    },
                    new_text: new_name.to_string(),
                });
            }
        }
        if let Some((key, _)) = scope
            .config
            .as_ref()
            .and_then(|c| c.models.get(&old.to_ascii_lowercase()))
        {
            // A key's range may run to the end of its line (`name:`): the name only.
            let range = TextRange::new(key.range.start, key.range.start + key.value.len() as u32);
            edit.edits.push(FileEdit {
                at: FileRange {
                    path: format!("{own}/domain.yaml"),
                    range,
                },
                new_text: new_name.to_string(),
            });
        }
        if let Some((_, file)) = scope.models.get(&old.to_ascii_lowercase()) {
            edit.renames.push((
                file.path(db).to_string(),
                format!("{own}/models/{new_name}.sql"),
            ));
        }
        Ok(edit)
    }

    /// The model a rename at `offset` of `path` is about, and the range of its
    /// name there (a model name in SQL); a column of a product, in a consumer
    /// or in the contract, is refused with its consumers.
    fn rename_target(&self, path: &str, offset: u32) -> Result<(TextRange, ModelId<'_>), String> {
        let db = &self.db;
        if let Some((product, column)) = self.contract_column_at(path, offset) {
            return Err(self.published_refusal(&product, Some(&column)));
        }
        if let Some(found) = self.product_column_at(path, offset) {
            return Err(self.published_refusal(&found.product, Some(&found.column.name.value)));
        }
        let name = mesh_syntax::dotted_name_at(self.file_text(path).unwrap_or(""), offset);
        let model = match self.model_named_at(path, offset) {
            Some(model) => model,
            None => {
                return Err(
                    "only models can be renamed here: put the cursor on a model name".to_string(),
                );
            }
        };
        let scope = domain_scope(db, model.domain(db));
        if scope
            .contracts
            .contains_key(&model.name(db).to_ascii_lowercase())
        {
            let id = format!("{}.{}", model.domain(db).name(db), model.name(db));
            return Err(self.published_refusal(&id, None));
        }
        let range = name
            .and_then(|n| n.ranges.get(n.at).copied())
            .unwrap_or(TextRange::empty(offset));
        Ok((range, model))
    }

    /// `(domain.product, column)` of the contract column named at `offset` of
    /// contract file `path`.
    fn contract_column_at(&self, path: &str, offset: u32) -> Option<(String, String)> {
        let db = &self.db;
        let (producer, rest) = path.split_once('/')?;
        let product = rest
            .strip_prefix("contracts/")
            .and_then(|r| r.strip_suffix(".yaml").or_else(|| r.strip_suffix(".yml")))?;
        let scope = domain_scope(db, DomainId::new(db, producer.to_string()));
        let file = scope.contracts.get(&product.to_ascii_lowercase())?;
        let contract = mesh_sema::parse_contract_file(db, *file).0.as_ref()?;
        let column = contract
            .columns
            .iter()
            .find(|c| c.name.range.start <= offset && offset <= c.name.range.end)?;
        Some((format!("{producer}.{product}"), column.name.value.clone()))
    }

    /// The model named at `offset` (a relation name resolving to a model of
    /// the own domain).
    fn model_named_at(&self, path: &str, offset: u32) -> Option<ModelId<'_>> {
        let db = &self.db;
        let text = self.file_text(path)?;
        let own = path.split('/').next()?;
        let scope = domain_scope(db, DomainId::new(db, own.to_string()));
        let name = mesh_syntax::dotted_name_at(text, offset)?;
        let last = name.parts.last()?;
        let qualified_elsewhere = name.parts.len() == 2 && !name.parts[0].eq_ignore_ascii_case(own);
        if qualified_elsewhere || name.at + 1 != name.parts.len() {
            return None;
        }
        let (model, _) = scope.models.get(&last.to_ascii_lowercase())?;
        let model = ModelId::new(db, DomainId::new(db, own.to_string()), model.clone());
        // A column or alias that happens to share the name is not the model.
        let referenced = model_at_path(db, path).is_some_and(|reader| {
            analyze_model(db, reader).dependencies.iter().any(|d| {
                d.range.start <= offset
                    && offset <= d.range.end
                    && d.target
                        == RelationTarget::Model {
                            domain: own.to_string(),
                            name: model.name(db).clone(),
                        }
            })
        });
        referenced.then_some(model)
    }

    /// Why a product (or one of its columns) is not renamed, with its consumers.
    fn published_refusal(&self, product: &str, column: Option<&str>) -> String {
        let db = &self.db;
        let mut consumers: Vec<String> = Vec::new();
        let producer = product.split('.').next().unwrap_or("");
        for domain_name in member_domains(db) {
            if domain_name.eq_ignore_ascii_case(producer) {
                continue;
            }
            let domain = DomainId::new(db, domain_name.clone());
            for (name, _) in domain_scope(db, domain).models.values() {
                let analysis = analyze_model(db, ModelId::new(db, domain, name.clone()));
                let reads = analysis.product_uses.iter().any(|u| {
                    u.product.eq_ignore_ascii_case(product)
                        && column.is_none_or(|c| u.column.eq_ignore_ascii_case(c))
                }) || (column.is_none()
                    && analysis.dependencies.iter().any(|d| {
                        matches!(&d.target, RelationTarget::Model { domain, name } if format!("{domain}.{name}").eq_ignore_ascii_case(product))
                    }));
                if reads {
                    consumers.push(format!("{domain_name}.{name}"));
                }
            }
        }
        consumers.sort();
        consumers.dedup();
        let what = match column {
            Some(column) => format!("column `{column}` of the published product {product}"),
            None => format!("the published product {product}"),
        };
        let broken = if consumers.is_empty() {
            "no consumer in this workspace yet, but consumers elsewhere may read it".to_string()
        } else {
            format!("it would break {}", consumers.join(", "))
        };
        format!(
            "renaming {what} is a breaking contract change ({broken}); add the new name beside the old one, and remove the old one in a new major version"
        )
    }
}
