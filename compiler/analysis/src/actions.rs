//! Code actions: edits that fix what a diagnostic reports, and the contract
//! of a model that has none. Plain data (file, byte range, new text); the
//! language server turns them into workspace edits.

use mesh_diagnostics::{Code, Diagnostic, TextRange};
use mesh_sema::{ModelId, analyze_model, domain_scope, parse_contract_file};

use crate::host::AnalysisHost;
use crate::ide::{FileRange, model_at_path};

/// One text edit of a workspace file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileEdit {
    pub at: FileRange,
    pub new_text: String,
}

/// A fix or refactoring the editor can apply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeAction {
    pub title: String,
    /// A file to create first, with its text (a new contract).
    pub create: Option<(String, String)>,
    pub edits: Vec<FileEdit>,
    /// The diagnostic code it fixes, if it fixes one.
    pub fixes: Option<Code>,
}

impl AnalysisHost {
    /// The actions for `range` of file `path`: a fix for each diagnostic of
    /// the file that overlaps it, and for a model without a contract, one
    /// that publishes it with a contract of its inferred columns.
    pub fn code_actions(&self, path: &str, range: TextRange) -> Vec<CodeAction> {
        let mut out = Vec::new();
        // Editors ask on every cursor move: a model's own analysis holds every
        // diagnostic of its file, so only other files need the whole check.
        let in_file: Vec<Diagnostic> = match model_at_path(&self.db, path) {
            Some(model) => analyze_model(&self.db, model).diagnostics.clone(),
            None => self.check(),
        };
        let diagnostics: Vec<Diagnostic> = in_file
            .into_iter()
            .filter(|d| {
                &*d.file == path && d.range.start <= range.end && range.start <= d.range.end
            })
            .collect();
        for diagnostic in &diagnostics {
            if let Some(action) = self.did_you_mean(diagnostic) {
                out.push(action);
            }
            match diagnostic.code {
                Code::UndeclaredDependency => out.extend(self.add_dependency(diagnostic)),
                Code::ContractExtraColumn => out.extend(self.add_contract_column(path, diagnostic)),
                _ => {}
            }
        }
        out.extend(self.new_contract(path));
        out
    }

    /// `did you mean `x`?`: the last name in the diagnostic's range becomes `x`.
    fn did_you_mean(&self, diagnostic: &Diagnostic) -> Option<CodeAction> {
        let help = diagnostic.help.as_deref()?;
        let suggestion = help.strip_prefix("did you mean `")?.split('`').next()?;
        let text = self.file_text(&diagnostic.file)?;
        let written = text.get(diagnostic.range.start as usize..diagnostic.range.end as usize)?;
        // Replace the last part of a dotted name only (`o.amout` → `o.amount`),
        // unless the suggestion is itself qualified.
        let (start, replaced) = match written.rfind('.') {
            Some(dot) if !suggestion.contains('.') => {
                (diagnostic.range.start + dot as u32 + 1, &written[dot + 1..])
            }
            _ => (diagnostic.range.start, written),
        };
        if replaced.is_empty() || replaced.contains(char::is_whitespace) {
            return None;
        }
        Some(CodeAction {
            title: format!("Change `{replaced}` to `{suggestion}`"),
            create: None,
            edits: vec![FileEdit {
                at: FileRange {
                    path: diagnostic.file.to_string(),
                    range: TextRange::new(start, diagnostic.range.end),
                },
                new_text: suggestion.to_string(),
            }],
            fixes: Some(diagnostic.code),
        })
    }

    /// MESH2002: the dependency its help names, added to domain.yaml.
    fn add_dependency(&self, diagnostic: &Diagnostic) -> Option<CodeAction> {
        let help = diagnostic.help.as_deref()?;
        let entry = help.strip_prefix("add `")?.split('`').next()?;
        let (dependency, requirement) = entry.split_once(':')?;
        let own = diagnostic.file.split('/').next()?;
        let path = format!("{own}/domain.yaml");
        let text = self.file_text(&path)?;
        let line = format!("  {dependency}:{requirement}\n");
        let (offset, new_text) = match text.find("\ndependencies:") {
            Some(at) => {
                let after = at + "\ndependencies:".len();
                let end_of_line = text[after..]
                    .find('\n')
                    .map_or(text.len(), |n| after + n + 1);
                (end_of_line, line)
            }
            None => {
                let separator = if text.ends_with('\n') || text.is_empty() {
                    ""
                } else {
                    "\n"
                };
                (text.len(), format!("{separator}dependencies:\n{line}"))
            }
        };
        Some(CodeAction {
            title: format!("Add the dependency `{}` to {path}", entry.trim()),
            create: None,
            edits: vec![FileEdit {
                at: FileRange {
                    path,
                    range: TextRange::empty(offset as u32),
                },
                new_text,
            }],
            fixes: Some(diagnostic.code),
        })
    }

    /// MESH1002: the column, with its inferred type, added to the model's
    /// contract (before the first property, in the same indentation).
    fn add_contract_column(&self, path: &str, diagnostic: &Diagnostic) -> Option<CodeAction> {
        let db = &self.db;
        let (model, contract_path) = self.model_and_contract(path)?;
        let relation = analyze_model(db, model).relation.as_ref()?;
        let written = self
            .file_text(path)?
            .get(diagnostic.range.start as usize..diagnostic.range.end as usize)?;
        let column = relation
            .columns
            .iter()
            .find(|c| diagnostic.message.contains(&format!("`{}`", c.name)))
            .or_else(|| relation.columns.iter().find(|c| written.ends_with(&c.name)))?;
        let text = self.file_text(&contract_path)?;
        let scope = domain_scope(db, model.domain(db));
        let file = scope.contracts.get(&model.name(db).to_ascii_lowercase())?;
        let contract = parse_contract_file(db, *file).0.as_ref()?;
        let first = contract.columns.first()?;
        // The list item holding the first column: the nearest `- ` line at or above it.
        let name_line_start = text[..first.name.range.start as usize]
            .rfind('\n')
            .map_or(0, |n| n + 1);
        let mut item_start = name_line_start;
        loop {
            let line = &text[item_start..];
            if line.trim_start().starts_with("- ") {
                break;
            }
            if item_start == 0 {
                return None;
            }
            item_start = text[..item_start - 1].rfind('\n').map_or(0, |n| n + 1);
        }
        let indent = &text[item_start
            ..item_start + (text[item_start..].len() - text[item_start..].trim_start().len())];
        let entry = property_yaml(indent, column);
        Some(CodeAction {
            title: format!(
                "Declare `{}` ({}) in {contract_path}",
                column.name, column.ty
            ),
            create: None,
            edits: vec![FileEdit {
                at: FileRange {
                    path: contract_path,
                    range: TextRange::empty(item_start as u32),
                },
                new_text: entry,
            }],
            fixes: Some(diagnostic.code),
        })
    }

    /// For a model without a contract: publish it with a new contract of its
    /// inferred columns.
    fn new_contract(&self, path: &str) -> Option<CodeAction> {
        let db = &self.db;
        let model = model_at_path(db, path)?;
        let (own, model_name) = (model.domain(db).name(db).clone(), model.name(db).clone());
        let scope = domain_scope(db, model.domain(db));
        if scope
            .contracts
            .contains_key(&model_name.to_ascii_lowercase())
        {
            return None;
        }
        let relation = analyze_model(db, model).relation.as_ref()?;
        let owner = scope
            .config
            .as_ref()
            .and_then(|c| c.owner.clone())
            .unwrap_or_else(|| format!("{own}-team"));
        let mut text = format!(
            "apiVersion: v3.1.0\nkind: DataContract\nid: {own}.{model_name}\nname: {model_name}\nversion: 1.0.0\nstatus: active\ndomain: {own}\ndataProduct: {model_name}\ndescription:\n  purpose: TODO what one row of {model_name} is, for its consumers.\nteam:\n  members:\n    - username: {owner}\n      role: owner\nschema:\n  - name: {model_name}\n    physicalName: {model_name}\n    logicalType: object\n    properties:\n"
        );
        for column in &relation.columns {
            text.push_str(&property_yaml("      ", column));
        }
        Some(CodeAction {
            title: format!(
                "Publish `{own}.{model_name}`: create contracts/{model_name}.yaml from its columns"
            ),
            create: Some((format!("{own}/contracts/{model_name}.yaml"), text)),
            edits: Vec::new(),
            fixes: None,
        })
    }

    /// The model of a model file and the path of its contract, when it has one.
    fn model_and_contract(&self, path: &str) -> Option<(ModelId<'_>, String)> {
        let db = &self.db;
        let model = model_at_path(db, path)?;
        let contract = domain_scope(db, model.domain(db))
            .contracts
            .get(&model.name(db).to_ascii_lowercase())?;
        Some((model, contract.path(db).to_string()))
    }
}

/// One contract property for an inferred column, as a list item indented by
/// `indent`: its logical and physical type, required when it cannot be NULL.
fn property_yaml(indent: &str, column: &mesh_sema::Column) -> String {
    format!(
        "{indent}- name: {}\n{indent}  logicalType: {}\n{indent}  physicalType: {}\n{indent}  required: {}\n",
        column.name,
        column.ty.logical_type(),
        column.ty,
        !column.nullable
    )
}
