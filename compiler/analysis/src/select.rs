//! Node selection for build and run, in dbt's spelling: `MODEL`,
//! `domain.MODEL`, `MODEL+` (and everything downstream), `+MODEL` (and
//! everything upstream), `domain:NAME` (every model of a domain).

use std::collections::BTreeSet;

use mesh_sema::{MeshGraph, NodeId};

/// One `--select` argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selector {
    Model {
        /// `None` matches the name in every domain.
        domain: Option<String>,
        name: String,
        upstream: bool,
        downstream: bool,
    },
    Domain(String),
}

/// Parses one selector; the error explains the accepted forms.
pub fn parse_selector(text: &str) -> Result<Selector, String> {
    let text = text.trim();
    if let Some(domain) = text.strip_prefix("domain:") {
        if domain.is_empty() {
            return Err("`domain:` needs a domain name, e.g. `domain:insights`".to_string());
        }
        return Ok(Selector::Domain(domain.to_string()));
    }
    let upstream = text.starts_with('+');
    let downstream = text.ends_with('+') && text.len() > 1;
    let core = text.trim_start_matches('+').trim_end_matches('+');
    if core.is_empty() || core.contains(['+', ':', ' ']) {
        return Err(format!(
            "`{text}` is not a selector; use MODEL, DOMAIN.MODEL, MODEL+ (with downstream), +MODEL (with upstream) or domain:NAME"
        ));
    }
    let (domain, name) = match core.split_once('.') {
        Some((d, n)) => (Some(d.to_string()), n.to_string()),
        None => (None, core.to_string()),
    };
    Ok(Selector::Model {
        domain,
        name,
        upstream,
        downstream,
    })
}

/// The models selected by `selectors` (all models when empty). Unknown names
/// are returned as errors.
pub(crate) fn select(
    graph: &MeshGraph,
    selectors: &[Selector],
) -> Result<BTreeSet<NodeId>, String> {
    let models = graph.upstream.keys().filter(|n| !n.is_source);
    if selectors.is_empty() {
        return Ok(models.cloned().collect());
    }
    let mut selected = BTreeSet::new();
    for selector in selectors {
        match selector {
            Selector::Domain(domain) => {
                let matched: Vec<&NodeId> = graph
                    .upstream
                    .keys()
                    .filter(|n| !n.is_source && &n.domain == domain)
                    .collect();
                if matched.is_empty() {
                    return Err(format!("no models in domain `{domain}`"));
                }
                selected.extend(matched.into_iter().cloned());
            }
            Selector::Model {
                domain,
                name,
                upstream,
                downstream,
            } => {
                let matched: Vec<NodeId> = graph
                    .upstream
                    .keys()
                    .filter(|n| !n.is_source && n.name.eq_ignore_ascii_case(name))
                    .filter(|n| {
                        domain
                            .as_ref()
                            .is_none_or(|d| d.eq_ignore_ascii_case(&n.domain))
                    })
                    .cloned()
                    .collect();
                if matched.is_empty() {
                    let names: Vec<&str> = graph
                        .upstream
                        .keys()
                        .filter(|n| !n.is_source)
                        .map(|n| n.name.as_str())
                        .collect();
                    let hint = mesh_diagnostics::did_you_mean(name, names)
                        .map(|s| format!(" (did you mean `{s}`?)"))
                        .unwrap_or_default();
                    return Err(format!("no model matches `{name}`{hint}"));
                }
                for node in matched {
                    if *upstream {
                        walk(&node, &mut selected, |n| {
                            graph
                                .upstream
                                .get(n)
                                .into_iter()
                                .flatten()
                                .cloned()
                                .collect()
                        });
                    }
                    if *downstream {
                        walk(&node, &mut selected, |n| {
                            graph.downstream_of(n).cloned().collect()
                        });
                    }
                    selected.insert(node);
                }
            }
        }
    }
    selected.retain(|n| !n.is_source);
    Ok(selected)
}

fn walk(start: &NodeId, into: &mut BTreeSet<NodeId>, next: impl Fn(&NodeId) -> Vec<NodeId>) {
    let mut stack = vec![start.clone()];
    while let Some(node) = stack.pop() {
        for neighbour in next(&node) {
            if into.insert(neighbour.clone()) {
                stack.push(neighbour);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dbt_style_selectors() {
        assert_eq!(
            parse_selector("+insights.dim_customers"),
            Ok(Selector::Model {
                domain: Some("insights".into()),
                name: "dim_customers".into(),
                upstream: true,
                downstream: false
            })
        );
        assert_eq!(
            parse_selector("stg_orders+"),
            Ok(Selector::Model {
                domain: None,
                name: "stg_orders".into(),
                upstream: false,
                downstream: true
            })
        );
        assert_eq!(
            parse_selector("domain:orders"),
            Ok(Selector::Domain("orders".into()))
        );
        assert!(parse_selector("a+b").is_err());
        assert!(parse_selector("domain:").is_err());
    }
}
