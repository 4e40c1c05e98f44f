//! The SQL of incremental models, shared by the engines that run them and by
//! the scripts `meshc build` writes: which rows of the model's query are new,
//! and which existing rows they replace.
//!
//! The filter is plain SQL written by meshc from the model's declared
//! `incremental: { unique_key, updated_at }`: the model's SELECT is wrapped,
//! never edited, so it means what it means in a full build.

use crate::plan::Incremental;
use crate::sql::ident;

/// The rows of `select` that are new relative to the table `existing`
/// (qualified SQL text): those above the table's maximum `updated_at`, or
/// all of them when the table is empty or there is no `updated_at`.
pub fn new_rows(select: &str, existing: &str, incremental: &Incremental) -> String {
    let Some(updated_at) = &incremental.updated_at else {
        return select.to_string();
    };
    let column = ident(updated_at);
    format!(
        "SELECT * FROM (\n{select}\n) AS meshc_new\nWHERE meshc_new.{column} > (SELECT max({column}) FROM {existing})\n   OR (SELECT max({column}) FROM {existing}) IS NULL"
    )
}

/// A condition true when the rows `a` and `b` (aliases) have the same key;
/// NULL keys are equal to NULL keys, as in a GROUP BY (spelled without
/// `IS NOT DISTINCT FROM`, which not every target has).
pub fn same_key(incremental: &Incremental, a: &str, b: &str) -> String {
    incremental
        .unique_key
        .iter()
        .map(|key| {
            let key = ident(key);
            format!("({a}.{key} = {b}.{key} OR ({a}.{key} IS NULL AND {b}.{key} IS NULL))")
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// The statements that merge the new rows of `select` into the existing
/// table `existing` through the temporary table `staged`, on an engine with
/// transactional DELETE and INSERT (DuckDB; Teradata in ANSI mode, where
/// `commit` ends each transaction). Keys are replaced, then rows inserted.
pub fn delete_insert(
    select: &str,
    existing: &str,
    staged: &str,
    incremental: &Incremental,
    teradata: bool,
) -> Vec<String> {
    let new_rows = new_rows(select, existing, incremental);
    let list = column_list(incremental);
    let create = if teradata {
        format!("CREATE TABLE {staged} AS (\n{new_rows}\n) WITH DATA")
    } else {
        format!("CREATE TABLE {staged} AS\n{new_rows}")
    };
    let delete = format!(
        "DELETE FROM {existing} WHERE EXISTS (SELECT 1 FROM {staged} AS meshc_new WHERE {})",
        same_key(incremental, "meshc_new", existing)
    );
    let insert = format!("INSERT INTO {existing} ({list}) SELECT {list} FROM {staged}");
    let drop = format!("DROP TABLE {staged}");
    if teradata {
        vec![
            create,
            "COMMIT".into(),
            delete,
            insert,
            "COMMIT".into(),
            drop,
            "COMMIT".into(),
        ]
    } else {
        vec![
            "BEGIN TRANSACTION".into(),
            create,
            delete,
            insert,
            drop,
            "COMMIT".into(),
        ]
    }
}

/// The statements that build the merged version of the existing table
/// `existing` as the new table `staged` without changing `existing` (for
/// engines without DELETE, such as Trino's memory connector): the new rows
/// into `rows`, then the existing rows whose key has no new row plus the new
/// rows. Swapping `staged` in is the caller's.
pub fn copy_on_write(
    select: &str,
    existing: &str,
    rows: &str,
    staged: &str,
    incremental: &Incremental,
) -> [String; 2] {
    let list = column_list(incremental);
    [
        format!(
            "CREATE TABLE {rows} AS\n{}",
            new_rows(select, existing, incremental)
        ),
        format!(
            "CREATE TABLE {staged} AS\nSELECT {list} FROM {existing} AS meshc_old\nWHERE NOT EXISTS (SELECT 1 FROM {rows} AS meshc_new WHERE {})\nUNION ALL\nSELECT {list} FROM {rows}",
            same_key(incremental, "meshc_new", "meshc_old")
        ),
    ]
}

/// The model's columns as a select list.
pub fn column_list(incremental: &Incremental) -> String {
    incremental
        .columns
        .iter()
        .map(|c| ident(c))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why the existing table cannot take the model's rows, if its columns are
/// not the model's (compared without case, in order).
pub fn columns_differ(incremental: &Incremental, existing: &[String]) -> Option<String> {
    let lower =
        |names: &[String]| -> Vec<String> { names.iter().map(|n| n.to_lowercase()).collect() };
    if lower(existing) == lower(&incremental.columns) {
        return None;
    }
    Some(format!(
        "the existing table has the columns ({}) but the model now returns ({}); run with --full-refresh to rebuild it",
        existing.join(", "),
        incremental.columns.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(updated_at: Option<&str>) -> Incremental {
        Incremental {
            unique_key: vec!["order_id".to_string(), "line".to_string()],
            updated_at: updated_at.map(str::to_string),
            columns: vec![
                "order_id".to_string(),
                "line".to_string(),
                "loaded_at".to_string(),
            ],
        }
    }

    #[test]
    fn new_rows_are_above_the_existing_maximum() {
        let sql = new_rows("select 1", "\"s\".\"t\"", &settings(Some("loaded_at")));
        assert_eq!(
            sql,
            "SELECT * FROM (\nselect 1\n) AS meshc_new\nWHERE meshc_new.\"loaded_at\" > (SELECT max(\"loaded_at\") FROM \"s\".\"t\")\n   OR (SELECT max(\"loaded_at\") FROM \"s\".\"t\") IS NULL"
        );
        assert_eq!(new_rows("select 1", "x", &settings(None)), "select 1");
    }

    #[test]
    fn keys_match_null_to_null() {
        assert_eq!(
            same_key(&settings(None), "n", "o"),
            "(n.\"order_id\" = o.\"order_id\" OR (n.\"order_id\" IS NULL AND o.\"order_id\" IS NULL)) AND (n.\"line\" = o.\"line\" OR (n.\"line\" IS NULL AND o.\"line\" IS NULL))"
        );
    }

    #[test]
    fn a_changed_shape_asks_for_a_full_refresh() {
        let same = ["ORDER_ID", "line", "loaded_at"].map(String::from);
        assert_eq!(columns_differ(&settings(None), &same), None);
        let other = ["order_id", "loaded_at"].map(String::from);
        let why = columns_differ(&settings(None), &other).unwrap_or_default();
        assert!(why.contains("--full-refresh"), "{why}");
    }
}
