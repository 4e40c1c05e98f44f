//! What changed between two versions of a contract, and whether consumers can
//! break: the rules behind `meshc diff` and `meshc publish`.

use mesh_syntax::{Contract, SqlType};

use crate::types::unify;

/// How a change affects consumers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Impact {
    /// Documentation only: a patch version.
    Docs,
    /// Consumers keep working: a minor version.
    Compatible,
    /// Some consumer may break: a major version.
    Breaking,
}

/// One classified change.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ContractChange {
    pub impact: Impact,
    /// The column it is about, if any (consumers of it are the ones affected).
    pub column: Option<String>,
    pub message: String,
}

fn change(impact: Impact, column: Option<&str>, message: String) -> ContractChange {
    ContractChange {
        impact,
        column: column.map(str::to_string),
        message,
    }
}

/// Whether every value of `old` fits `new` without loss.
fn widens(old: SqlType, new: SqlType) -> bool {
    match (old, new) {
        (SqlType::Real, SqlType::Double) => true,
        (SqlType::Date, SqlType::Timestamp) => false,
        (
            SqlType::Decimal {
                precision: p1,
                scale: s1,
            },
            SqlType::Decimal {
                precision: p2,
                scale: s2,
            },
        ) => s2 >= s1 && p2 - s2 >= p1 - s1,
        (o, n) if o.is_integer() && n.is_integer() => unify(o, n) == Some(n),
        (o, SqlType::Decimal { .. }) if o.is_integer() => unify(o, new) == Some(new),
        _ => false,
    }
}

/// Classifies every difference from `old` (the last published version) to
/// `new`, breaking changes first.
pub fn diff_contracts(old: &Contract, new: &Contract) -> Vec<ContractChange> {
    let mut out = Vec::new();
    for before in &old.columns {
        let name = before.name.value.as_str();
        let Some(after) = new
            .columns
            .iter()
            .find(|c| c.name.value.eq_ignore_ascii_case(name))
        else {
            let added: Vec<&str> = new
                .columns
                .iter()
                .filter(|c| {
                    !old.columns
                        .iter()
                        .any(|o| o.name.value.eq_ignore_ascii_case(&c.name.value))
                })
                .map(|c| c.name.value.as_str())
                .collect();
            let hint = match added.as_slice() {
                [one] => format!(" (renamed to `{one}`?)"),
                _ => String::new(),
            };
            out.push(change(
                Impact::Breaking,
                Some(name),
                format!("column `{name}` removed{hint}"),
            ));
            continue;
        };
        let (old_ty, new_ty) = (
            before.ty.as_ref().map(|t| t.value),
            after.ty.as_ref().map(|t| t.value),
        );
        if let (Some(o), Some(n)) = (old_ty, new_ty)
            && o != n
        {
            if widens(o, n) {
                out.push(change(
                    Impact::Compatible,
                    Some(name),
                    format!("column `{name}` widened from {o} to {n}"),
                ));
            } else {
                out.push(change(
                    Impact::Breaking,
                    Some(name),
                    format!("column `{name}` changed type from {o} to {n}"),
                ));
            }
        }
        if before.required && !after.required {
            out.push(change(
                Impact::Breaking,
                Some(name),
                format!("column `{name}` may now be NULL (required: true → false)"),
            ));
        } else if !before.required && after.required {
            out.push(change(
                Impact::Compatible,
                Some(name),
                format!("column `{name}` is now required (never NULL)"),
            ));
        }
        if before.unique && !after.unique {
            out.push(change(
                Impact::Breaking,
                Some(name),
                format!("column `{name}` is no longer unique"),
            ));
        }
        if before.primary_key && !after.primary_key {
            out.push(change(
                Impact::Breaking,
                Some(name),
                format!("column `{name}` is no longer (part of) the primary key"),
            ));
        }
        if !before.unique && after.unique {
            out.push(change(
                Impact::Compatible,
                Some(name),
                format!("column `{name}` is now unique"),
            ));
        }
        if before.description != after.description {
            out.push(change(
                Impact::Docs,
                Some(name),
                format!("description of `{name}` changed"),
            ));
        }
    }
    for after in &new.columns {
        let name = after.name.value.as_str();
        if !old
            .columns
            .iter()
            .any(|c| c.name.value.eq_ignore_ascii_case(name))
        {
            let what = if after.required {
                "required"
            } else {
                "optional"
            };
            out.push(change(
                Impact::Compatible,
                Some(name),
                format!("{what} column `{name}` added"),
            ));
        }
    }
    access_changes(old, new, &mut out);
    match (&old.freshness, &new.freshness) {
        (Some(o), Some(n)) if n.seconds > o.seconds => out.push(change(
            Impact::Breaking,
            None,
            format!(
                "freshness SLA loosened from {} to {}",
                duration(o.seconds),
                duration(n.seconds)
            ),
        )),
        (Some(o), None) => out.push(change(
            Impact::Breaking,
            None,
            format!("freshness SLA of {} dropped", duration(o.seconds)),
        )),
        (Some(o), Some(n)) if n.seconds < o.seconds => out.push(change(
            Impact::Compatible,
            None,
            format!(
                "freshness SLA tightened from {} to {}",
                duration(o.seconds),
                duration(n.seconds)
            ),
        )),
        (None, Some(n)) => out.push(change(
            Impact::Compatible,
            None,
            format!("freshness SLA of {} added", duration(n.seconds)),
        )),
        _ => {}
    }
    for rule in &old.quality {
        if !new.quality.iter().any(|r| r.name == rule.name) {
            out.push(change(
                Impact::Compatible,
                None,
                format!("quality rule `{}` removed", rule.name),
            ));
        }
    }
    for rule in &new.quality {
        if !old.quality.iter().any(|r| r.name == rule.name) {
            out.push(change(
                Impact::Compatible,
                None,
                format!("quality rule `{}` added", rule.name),
            ));
        }
    }
    if old.purpose != new.purpose {
        out.push(change(
            Impact::Docs,
            None,
            "description changed".to_string(),
        ));
    }
    if old.owner != new.owner {
        out.push(change(
            Impact::Docs,
            None,
            format!(
                "owner changed from {} to {}",
                old.owner.as_deref().unwrap_or("nobody"),
                new.owner.as_deref().unwrap_or("nobody")
            ),
        ));
    }
    out.sort_by_key(|c| std::cmp::Reverse(c.impact));
    out
}

fn access_changes(old: &Contract, new: &Contract, out: &mut Vec<ContractChange>) {
    let before = old.access.as_ref().map(|a| &a.value);
    let after = new.access.as_ref().map(|a| &a.value);
    match (before, after) {
        (None, Some(list)) => out.push(change(
            Impact::Breaking,
            None,
            format!(
                "access restricted to {} (any consumer could read it before)",
                shown(list)
            ),
        )),
        (Some(_), None) => out.push(change(
            Impact::Compatible,
            None,
            "access opened to every consumer".to_string(),
        )),
        (Some(before), Some(after)) => {
            let removed: Vec<String> = before
                .iter()
                .filter(|d| !after.contains(d))
                .cloned()
                .collect();
            let added: Vec<String> = after
                .iter()
                .filter(|d| !before.contains(d))
                .cloned()
                .collect();
            if !removed.is_empty() {
                out.push(change(
                    Impact::Breaking,
                    None,
                    format!("access narrowed: {} may no longer read it", shown(&removed)),
                ));
            }
            if !added.is_empty() {
                out.push(change(
                    Impact::Compatible,
                    None,
                    format!("access widened to {}", shown(&added)),
                ));
            }
        }
        (None, None) => {}
    }
}

fn shown(domains: &[String]) -> String {
    if domains.is_empty() {
        return "its own domain only".to_string();
    }
    domains
        .iter()
        .map(|d| format!("`{d}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn duration(seconds: u64) -> String {
    match seconds {
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3_600 == 0 => format!("{}h", s / 3_600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// The version bump a set of changes needs from `old`: the smallest version
/// that is allowed, and why. Before 1.0.0 a breaking change needs a minor bump.
pub fn required_bump(changes: &[ContractChange]) -> Impact {
    changes
        .iter()
        .map(|c| c.impact)
        .max()
        .unwrap_or(Impact::Docs)
}

/// Whether `new` is a large enough step from `old` for changes of `impact`.
/// `Err` says what is needed.
pub fn check_bump(
    old: &semver::Version,
    new: &semver::Version,
    impact: Impact,
) -> Result<(), String> {
    if new <= old {
        let needed = match impact {
            Impact::Breaking if old.major == 0 => semver::Version::new(0, old.minor + 1, 0),
            Impact::Breaking => semver::Version::new(old.major + 1, 0, 0),
            Impact::Compatible => semver::Version::new(old.major, old.minor + 1, 0),
            Impact::Docs => semver::Version::new(old.major, old.minor, old.patch + 1),
        };
        return Err(format!(
            "version {new} is not greater than the published {old}: these changes need {needed} or later"
        ));
    }
    let breaking_step = if old.major == 0 {
        new.major > 0 || new.minor > old.minor
    } else {
        new.major > old.major
    };
    let minor_step = new.major > old.major || new.minor > old.minor;
    match impact {
        Impact::Breaking if !breaking_step => Err(format!(
            "breaking changes need a new major version: {} or later, not {new}",
            if old.major == 0 {
                semver::Version::new(0, old.minor + 1, 0)
            } else {
                semver::Version::new(old.major + 1, 0, 0)
            }
        )),
        Impact::Compatible if !minor_step => Err(format!(
            "compatible changes need a new minor version: {} or later, not {new}",
            semver::Version::new(old.major, old.minor + 1, 0)
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> semver::Version {
        semver::Version::parse(text).expect("valid")
    }

    #[test]
    fn bumps() {
        assert!(check_bump(&v("1.2.0"), &v("2.0.0"), Impact::Breaking).is_ok());
        assert!(check_bump(&v("1.2.0"), &v("1.3.0"), Impact::Breaking).is_err());
        assert!(check_bump(&v("1.2.0"), &v("1.3.0"), Impact::Compatible).is_ok());
        assert!(check_bump(&v("1.2.0"), &v("1.2.1"), Impact::Compatible).is_err());
        assert!(check_bump(&v("1.2.0"), &v("1.2.1"), Impact::Docs).is_ok());
        assert!(check_bump(&v("1.2.0"), &v("1.2.0"), Impact::Docs).is_err());
        assert!(check_bump(&v("0.2.0"), &v("0.3.0"), Impact::Breaking).is_ok());
    }

    #[test]
    fn widening() {
        use SqlType::*;
        assert!(widens(Integer, BigInt));
        assert!(!widens(BigInt, Integer));
        assert!(widens(
            Decimal {
                precision: 10,
                scale: 2
            },
            Decimal {
                precision: 12,
                scale: 2
            }
        ));
        assert!(!widens(
            Decimal {
                precision: 10,
                scale: 2
            },
            Decimal {
                precision: 10,
                scale: 3
            }
        ));
        assert!(widens(Real, Double));
        assert!(!widens(Integer, Varchar));
    }
}
