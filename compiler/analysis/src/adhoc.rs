//! The SQL of `meshc query`: parsed by meshc, exactly one query, printed
//! back by meshc (so nothing the parser did not understand reaches the
//! engine), with an optional row limit added to it.

use std::sync::Arc;

use mesh_diagnostics::Diagnostic;
use mesh_syntax::ast::{Expr, LimitClause, Value};

/// The file name diagnostics of an ad-hoc query point into.
pub const ADHOC_FILE: &str = "<query>";

/// `text` as one query in meshc's printing, reading at most `limit` rows when
/// it has no LIMIT of its own; or why it is refused (syntax errors, several
/// statements, anything but a query), pointing into `text` as [`ADHOC_FILE`].
pub fn adhoc_query_sql(text: &str, limit: Option<u64>) -> Result<String, Vec<Diagnostic>> {
    let file: Arc<str> = Arc::from(ADHOC_FILE);
    let parsed = mesh_syntax::parse_adhoc_query(&file, text);
    let Some(mut query) = parsed.query.filter(|_| parsed.diagnostics.is_empty()) else {
        return Err(parsed.diagnostics);
    };
    if let Some(n) = limit
        && query.limit_clause.is_none()
    {
        query.limit_clause = Some(LimitClause::LimitOffset {
            limit: Some(Expr::value(Value::Number(n.to_string(), false))),
            offset: None,
            limit_by: Vec::new(),
        });
    }
    Ok(query.to_string())
}

#[cfg(test)]
mod tests {
    use super::adhoc_query_sql;

    fn refused(text: &str) -> String {
        match adhoc_query_sql(text, None) {
            Ok(sql) => panic!("accepted: {sql}"),
            Err(diagnostics) => diagnostics
                .iter()
                .map(|d| format!("{} {}", d.code.as_str(), d.message))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    #[test]
    fn only_one_query_passes() {
        assert_eq!(
            adhoc_query_sql("select * from insights.dim_customers", Some(11)).ok(),
            Some("SELECT * FROM insights.dim_customers LIMIT 11".to_string())
        );
        assert_eq!(
            adhoc_query_sql("select 1 limit 3", Some(11)).ok(),
            Some("SELECT 1 LIMIT 3".to_string())
        );
        for (text, code) in [
            ("ATTACH 'x.duckdb' AS x (READ_WRITE)", "MESH01"),
            ("DETACH x", "MESH01"),
            ("USE x", "MESH01"),
            ("COPY (SELECT 1) TO '/tmp/x.csv'", "MESH0102"),
            ("EXPORT DATABASE '/tmp/x'", "MESH01"),
            ("INSTALL httpfs", "MESH01"),
            ("LOAD httpfs", "MESH01"),
            ("SET enable_external_access = true", "MESH0102"),
            ("DELETE FROM orders.stg_orders", "MESH0102"),
            ("select 1; select 2", "MESH0102"),
            ("", "MESH0103"),
        ] {
            let found = refused(text);
            assert!(found.starts_with(code), "{text}: {found}");
        }
    }
}
