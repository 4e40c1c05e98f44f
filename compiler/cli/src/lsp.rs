//! `meshc lsp`: the language server, given what only the command line has:
//! reading the database of the last run (for row previews).

use std::path::Path;

use crate::build::default_database;
use crate::render::Style;
use crate::session::Session;

/// Previews rows with the same read-only, single-query path as `meshc query`.
struct EnginePreview;

impl meshc_lsp::Preview for EnginePreview {
    fn rows(
        &self,
        root: &Path,
        model: &str,
        limit: u64,
    ) -> Result<(Vec<String>, Vec<Vec<String>>), String> {
        let session = Session::open(root, true, Style::Plain);
        let database = default_database(&session);
        let (domain, name) = model
            .split_once('.')
            .ok_or_else(|| format!("`{model}` is not DOMAIN.MODEL"))?;
        let sql = mesh_analysis::adhoc_query_sql(
            &format!("select * from \"{domain}\".\"{name}\""),
            Some(limit),
        )
        .map_err(|_| format!("cannot preview `{model}`"))?;
        let result = mesh_engine::query_all(&database, &sql)?;
        let rows = result
            .rows
            .iter()
            .map(|row| row.iter().map(ToString::to_string).collect())
            .collect();
        Ok((result.columns, rows))
    }
}

pub(crate) fn serve() -> crate::Outcome {
    match meshc_lsp::serve_stdio(Some(Box::new(EnginePreview))) {
        Ok(()) => crate::Outcome::Success,
        Err(message) => {
            eprintln!("error: {message}");
            crate::Outcome::Usage
        }
    }
}
