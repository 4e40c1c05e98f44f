//! The one identifier rule of workspace names (docs/workspace-format.md,
//! *Names*): domains, models, sources and columns, and the workspace itself.

use mesh_diagnostics::Code;

/// The longest name: PostgreSQL's identifier limit (NAMEDATALEN - 1), the
/// shortest of the engines meshc targets or may target; DuckDB and Trino
/// allow longer names.
pub const MAX_NAME_LEN: usize = 63;

/// What meshc names its temporary objects with (`<table>__meshc_new`).
pub(crate) const RESERVED_INFIX: &str = "__meshc";

/// Schema and catalog names the engines keep for themselves, so no domain
/// (a schema on the target) may have them: DuckDB's built-in schemas and
/// catalogs (`main`, `information_schema`, `pg_catalog`, `temp`, `system`,
/// `memory`), Trino's `system` catalog and `information_schema`, and
/// PostgreSQL's `pg_*` schemas (`pg_` is checked as a prefix).
pub const RESERVED_DOMAINS: &[&str] = &[
    "information_schema",
    "main",
    "memory",
    "pg_catalog",
    "system",
    "temp",
];

/// What a name names, for messages and the domain-only reserved names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameKind {
    Workspace,
    Domain,
    Model,
    Source,
    Column,
}

impl NameKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NameKind::Workspace => "workspace",
            NameKind::Domain => "domain",
            NameKind::Model => "model",
            NameKind::Source => "source",
            NameKind::Column => "column",
        }
    }
}

/// Why `name` is not a valid name of its kind: (code, message, help), or
/// `None` when it is valid. The rule: `[A-Za-z_][A-Za-z0-9_]*`, at most
/// [`MAX_NAME_LEN`] characters, not containing `__meshc` (in any case), and a
/// domain not named like a reserved schema (case-insensitively).
pub fn name_problem(name: &str, kind: NameKind) -> Option<(Code, String, String)> {
    let what = kind.as_str();
    let rule = "names are ASCII letters, digits and underscores and do not start with a digit";
    let mut chars = name.chars();
    let bad = match chars.next() {
        None => {
            return Some((
                Code::InvalidName,
                format!("the {what} name is empty"),
                format!("give the {what} a name ({rule})"),
            ));
        }
        Some(c) if c.is_ascii_digit() => Some(c),
        Some(c) if !(c.is_ascii_alphanumeric() || c == '_') => Some(c),
        Some(_) => chars.find(|c| !(c.is_ascii_alphanumeric() || *c == '_')),
    };
    if let Some(c) = bad {
        let which = if name.starts_with(c) && c.is_ascii_digit() {
            "starts with a digit".to_string()
        } else {
            format!("contains `{}`", c.escape_default())
        };
        return Some((
            Code::InvalidName,
            format!("{what} name `{name}` {which}, so it is not an identifier"),
            format!("rename it: {rule} (for example `{}`)", suggestion(name)),
        ));
    }
    if name.len() > MAX_NAME_LEN {
        return Some((
            Code::InvalidName,
            format!("{what} name `{name}` is {} characters long", name.len()),
            format!(
                "shorten it to at most {MAX_NAME_LEN} characters (the limit of PostgreSQL identifiers)"
            ),
        ));
    }
    let lower = name.to_ascii_lowercase();
    if lower.contains(RESERVED_INFIX) {
        return Some((
            Code::ReservedName,
            format!(
                "{what} name `{name}` contains `{RESERVED_INFIX}`, which meshc reserves for its temporary tables"
            ),
            format!("rename it without `{RESERVED_INFIX}`"),
        ));
    }
    if kind == NameKind::Domain
        && (RESERVED_DOMAINS.contains(&lower.as_str()) || lower.starts_with("pg_"))
    {
        return Some((
            Code::ReservedName,
            format!("domain name `{name}` is a schema or catalog name the engines reserve"),
            format!("rename the domain (its directory and `name:`), for example `{name}_domain`"),
        ));
    }
    None
}

/// `name` with every character outside the rule replaced by `_` (and a
/// leading `_` before a digit).
fn suggestion(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_identifier_rule() {
        for ok in ["orders", "stg_orders", "_x", "A1", &"a".repeat(63)] {
            assert_eq!(name_problem(ok, NameKind::Domain), None, "{ok}");
        }
        let code = |name: &str, kind| name_problem(name, kind).map(|p| p.0);
        for bad in ["", "1x", "stg-orders", "a.b", "é", "a b", &"a".repeat(64)] {
            assert_eq!(code(bad, NameKind::Model), Some(Code::InvalidName), "{bad}");
        }
        assert_eq!(
            code("x__meshc_new", NameKind::Column),
            Some(Code::ReservedName)
        );
        assert_eq!(code("X__MESHC", NameKind::Source), Some(Code::ReservedName));
        for reserved in [
            "main",
            "TEMP",
            "system",
            "information_schema",
            "pg_catalog",
            "pg_toast",
            "memory",
        ] {
            assert_eq!(
                code(reserved, NameKind::Domain),
                Some(Code::ReservedName),
                "{reserved}"
            );
            assert_eq!(
                code(reserved, NameKind::Model),
                None,
                "{reserved} is a fine model name"
            );
        }
        let (_, message, help) = name_problem("stg-orders", NameKind::Model).expect("invalid");
        assert_eq!(
            message,
            "model name `stg-orders` contains `-`, so it is not an identifier"
        );
        assert!(help.contains("`stg_orders`"), "{help}");
    }
}
