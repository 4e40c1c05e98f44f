//! Scopes: the relations visible to an expression and how column names
//! resolve against them.

use mesh_diagnostics::did_you_mean;

use crate::relation::Column;

/// One relation in a FROM clause.
#[derive(Clone, Debug)]
pub(crate) struct ScopeRelation {
    /// Lower-cased alias, or the table name when there is no alias.
    pub(crate) qualifier: String,
    pub(crate) columns: Vec<Column>,
    /// A relation we could not type (already reported): every column exists.
    pub(crate) opaque: bool,
    /// Lower-cased columns merged into an earlier relation by `USING (...)`.
    pub(crate) merged: Vec<String>,
    /// `domain.product@version` when the relation is another domain's product.
    pub(crate) product: Option<String>,
}

/// The relations of one SELECT, and the enclosing query's scope for
/// correlated subqueries.
pub(crate) struct Scope<'p> {
    pub(crate) relations: Vec<ScopeRelation>,
    pub(crate) parent: Option<&'p Scope<'p>>,
}

/// Where a column reference resolved to.
#[derive(Clone, Debug)]
pub(crate) struct Resolved {
    /// 0 for the current SELECT, 1 for its parent, ...
    pub(crate) depth: usize,
    pub(crate) relation: usize,
    pub(crate) column: usize,
    pub(crate) ty: Column,
    /// `domain.product@version` when the column comes from another domain's product.
    pub(crate) product: Option<String>,
}

/// Why a column reference did not resolve.
pub(crate) enum Unresolved {
    /// A relation we could not type: not an error of its own.
    Opaque,
    UnknownQualifier {
        candidates: Vec<String>,
    },
    UnknownColumn {
        suggestion: Option<String>,
        product: Option<String>,
    },
    Ambiguous {
        qualifiers: Vec<String>,
    },
}

impl Scope<'_> {
    pub(crate) fn empty() -> Scope<'static> {
        Scope {
            relations: Vec::new(),
            parent: None,
        }
    }

    pub(crate) fn resolve(
        &self,
        qualifier: Option<&str>,
        name: &str,
    ) -> Result<Resolved, Unresolved> {
        let mut scope = Some(self);
        let mut depth = 0;
        let mut any_opaque = false;
        let mut qualifier_seen = false;
        while let Some(current) = scope {
            let mut found: Vec<Resolved> = Vec::new();
            for (r, relation) in current.relations.iter().enumerate() {
                if let Some(q) = qualifier {
                    if !relation.qualifier.eq_ignore_ascii_case(q) {
                        continue;
                    }
                    qualifier_seen = true;
                } else if relation.merged.iter().any(|m| m.eq_ignore_ascii_case(name)) {
                    continue;
                }
                if relation.opaque {
                    any_opaque = true;
                    continue;
                }
                if let Some((c, column)) = relation
                    .columns
                    .iter()
                    .enumerate()
                    .find(|(_, c)| c.name.eq_ignore_ascii_case(name))
                {
                    found.push(Resolved {
                        depth,
                        relation: r,
                        column: c,
                        ty: column.clone(),
                        product: relation.product.clone(),
                    });
                }
            }
            match found.len() {
                0 => {}
                1 => return Ok(found.remove(0)),
                _ => {
                    return Err(Unresolved::Ambiguous {
                        qualifiers: found
                            .iter()
                            .map(|f| current.relations[f.relation].qualifier.clone())
                            .collect(),
                    });
                }
            }
            if qualifier_seen {
                break;
            }
            scope = current.parent;
            depth += 1;
        }
        if any_opaque {
            return Err(Unresolved::Opaque);
        }
        if let Some(q) = qualifier {
            if !qualifier_seen {
                return Err(Unresolved::UnknownQualifier {
                    candidates: self.qualifiers(),
                });
            }
            let relation = self.find_relation(q);
            let names: Vec<&str> = relation
                .map(|r| r.columns.iter().map(|c| c.name.as_str()).collect())
                .unwrap_or_default();
            return Err(Unresolved::UnknownColumn {
                suggestion: did_you_mean(name, names).map(str::to_string),
                product: relation.and_then(|r| r.product.clone()),
            });
        }
        let names: Vec<&str> = self.all_columns().collect();
        // When everything in FROM is another domain's product, the column is
        // missing from a contract, not from the SQL.
        let products: Vec<&str> = self
            .relations
            .iter()
            .filter_map(|r| r.product.as_deref())
            .collect();
        let product = (!products.is_empty() && products.len() == self.relations.len())
            .then(|| products.join(" or "));
        Err(Unresolved::UnknownColumn {
            suggestion: did_you_mean(name, names).map(str::to_string),
            product,
        })
    }

    fn find_relation(&self, qualifier: &str) -> Option<&ScopeRelation> {
        let mut scope = Some(self);
        while let Some(current) = scope {
            if let Some(r) = current
                .relations
                .iter()
                .find(|r| r.qualifier.eq_ignore_ascii_case(qualifier))
            {
                return Some(r);
            }
            scope = current.parent;
        }
        None
    }

    fn qualifiers(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut scope = Some(self);
        while let Some(current) = scope {
            out.extend(current.relations.iter().map(|r| r.qualifier.clone()));
            scope = current.parent;
        }
        out
    }

    fn all_columns(&self) -> impl Iterator<Item = &str> {
        self.relations
            .iter()
            .flat_map(|r| r.columns.iter().map(|c| c.name.as_str()))
    }
}
