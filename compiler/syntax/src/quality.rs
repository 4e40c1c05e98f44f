//! Quality rules, freshness SLA and access lists of an ODCS contract, in the
//! forms `docs/contracts-odcs.md` documents. Parsing is lenient about what it
//! does not know (another tool's `custom` rule is skipped) and strict about
//! what it runs (a rule meshc would execute wrongly is a diagnostic).

use std::sync::Arc;

use marked_yaml::Spanned as Marked;
use mesh_diagnostics::{Code, Diagnostic, TextRange};
use serde::Deserialize;

use crate::rule_sql::EmbeddedSql;
use crate::yaml::{Positions, Spanned};

/// How bad a failed rule is: an `Error` marks the product INVALID.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum RuleSeverity {
    #[default]
    Error,
    Warning,
}

/// What a rule measures: each metric is one number computed over the product.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Metric {
    /// Rows where `column` is NULL.
    NullValues { column: String },
    /// Distinct non-NULL values of `columns` that occur more than once.
    DuplicateValues { columns: Vec<String> },
    /// Non-NULL values of `column` outside `valid` (written as in YAML).
    InvalidValues { column: String, valid: Vec<String> },
    /// Rows of the product.
    RowCount,
    /// Rows of `upstream` (`domain.product`) whose key `columns` has no row in
    /// the product.
    RecordLoss {
        upstream: String,
        columns: Vec<String>,
    },
    /// Non-NULL values of `column` with no equal `to_column` in `to_product`
    /// (`domain.product`).
    Relationship {
        column: String,
        to_product: String,
        to_column: String,
    },
    /// Seconds between the newest `column` value and now.
    Freshness { column: String },
    /// A SQL query returning one number; `{object}` is the product,
    /// `{property}` the column the rule is attached to (`column`, when it is).
    Sql {
        query: EmbeddedSql,
        column: Option<String>,
    },
}

/// The bound a metric must respect.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Threshold {
    Eq(f64),
    NotEq(f64),
    Gt(f64),
    Ge(f64),
    Lt(f64),
    Le(f64),
    Between(f64, f64),
    NotBetween(f64, f64),
}

impl Eq for Threshold {}

impl std::hash::Hash for Threshold {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        format!("{self:?}").hash(state);
    }
}

impl Threshold {
    pub fn holds(self, value: f64) -> bool {
        match self {
            Threshold::Eq(x) => value == x,
            Threshold::NotEq(x) => value != x,
            Threshold::Gt(x) => value > x,
            Threshold::Ge(x) => value >= x,
            Threshold::Lt(x) => value < x,
            Threshold::Le(x) => value <= x,
            Threshold::Between(lo, hi) => lo <= value && value <= hi,
            Threshold::NotBetween(lo, hi) => value < lo || value > hi,
        }
    }
}

impl std::fmt::Display for Threshold {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Threshold::Eq(x) => write!(f, "= {x}"),
            Threshold::NotEq(x) => write!(f, "<> {x}"),
            Threshold::Gt(x) => write!(f, "> {x}"),
            Threshold::Ge(x) => write!(f, ">= {x}"),
            Threshold::Lt(x) => write!(f, "< {x}"),
            Threshold::Le(x) => write!(f, "<= {x}"),
            Threshold::Between(a, b) => write!(f, "between {a} and {b}"),
            Threshold::NotBetween(a, b) => write!(f, "not between {a} and {b}"),
        }
    }
}

/// Whether a metric counts rows or a percentage of the product's rows (of the
/// upstream's rows for record loss).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Unit {
    #[default]
    Rows,
    Percent,
    /// Freshness: the threshold is in seconds.
    Seconds,
}

/// One executable rule of a contract.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct QualityRule {
    pub name: String,
    pub metric: Metric,
    pub unit: Unit,
    pub threshold: Threshold,
    pub severity: RuleSeverity,
    pub description: Option<String>,
    pub range: TextRange,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RawRule {
    #[serde(default)]
    name: Option<Marked<String>>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    metric: Option<Marked<String>>,
    #[serde(default)]
    rule: Option<Marked<String>>,
    #[serde(default)]
    engine: Option<String>,
    #[serde(default)]
    implementation: Option<Box<RawRule>>,
    #[serde(default)]
    arguments: Option<RawArguments>,
    #[serde(default)]
    query: Option<Marked<String>>,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    severity: Option<Marked<String>>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    must_be: Option<f64>,
    #[serde(default)]
    must_not_be: Option<f64>,
    #[serde(default)]
    must_be_greater_than: Option<f64>,
    #[serde(default)]
    must_be_greater_or_equal_to: Option<f64>,
    #[serde(default)]
    must_be_less_than: Option<f64>,
    #[serde(default)]
    must_be_less_or_equal_to: Option<f64>,
    #[serde(default)]
    must_be_between: Option<Vec<f64>>,
    #[serde(default)]
    must_not_be_between: Option<Vec<f64>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RawArguments {
    #[serde(default)]
    properties: Vec<String>,
    #[serde(default)]
    valid_values: Vec<String>,
    #[serde(default)]
    upstream: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RawRelationship {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    to: Option<Marked<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RawSla {
    property: Marked<String>,
    #[serde(default)]
    value: Option<Marked<String>>,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    element: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RawCustomProperty {
    property: Marked<String>,
    #[serde(default)]
    value: Option<OneOrMany>,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum OneOrMany {
    Many(Vec<String>),
    One(String),
}

/// Reads the rules of the product (`column: None`) or of one of its columns.
pub(crate) struct RuleReader<'a> {
    pub(crate) file: &'a Arc<str>,
    pub(crate) positions: &'a Positions<'a>,
    pub(crate) domain: &'a str,
    pub(crate) diagnostics: &'a mut Vec<Diagnostic>,
    pub(crate) rules: Vec<QualityRule>,
}

impl RuleReader<'_> {
    fn error(&mut self, range: TextRange, message: String, help: &str) {
        self.diagnostics.push(
            Diagnostic::new(Code::InvalidQualityRule, self.file.clone(), range, message)
                .with_help(help.to_string()),
        );
    }

    pub(crate) fn read(&mut self, raw: &RawRule, column: Option<&str>, fallback: TextRange) {
        let range = raw
            .name
            .as_ref()
            .or(raw.metric.as_ref())
            .map(|m| self.positions.spanned(m).range)
            .unwrap_or(fallback);
        let name = raw
            .name
            .as_ref()
            .map(|n| n.as_str().to_string())
            .unwrap_or_else(|| format!("rule_{}", self.rules.len() + 1));
        // A `custom` rule for another engine is that engine's business.
        let body = match (raw.kind.as_deref(), raw.engine.as_deref()) {
            (Some("custom"), Some("meshc")) => match raw.implementation.as_deref() {
                Some(body) => body,
                None => {
                    self.error(
                        range,
                        format!("custom rule `{name}` for engine meshc has no `implementation`"),
                        "put `metric`, `arguments`, the operator and `unit` under `implementation:`",
                    );
                    return;
                }
            },
            (Some("custom"), _) | (Some("text"), _) => return,
            _ => raw,
        };
        let severity = match raw
            .severity
            .as_ref()
            .map(|s| s.as_str().to_ascii_lowercase())
        {
            None => RuleSeverity::Error,
            Some(s) if s == "error" => RuleSeverity::Error,
            Some(s) if s == "warning" || s == "warn" || s == "info" => RuleSeverity::Warning,
            Some(other) => {
                let at = raw
                    .severity
                    .as_ref()
                    .map(|s| self.positions.spanned(s).range)
                    .unwrap_or(range);
                self.error(
                    at,
                    format!("severity `{other}` of rule `{name}` is not `error` or `warning`"),
                    "an `error` rule marks the product INVALID when it fails; a `warning` is reported only",
                );
                return;
            }
        };
        let Some(threshold) = threshold(body) else {
            self.error(
                range,
                format!("rule `{name}` has no operator (or more than one)"),
                "give exactly one of mustBe, mustNotBe, mustBeGreaterThan, mustBeGreaterOrEqualTo, mustBeLessThan, mustBeLessOrEqualTo, mustBeBetween: [lo, hi], mustNotBeBetween",
            );
            return;
        };
        let unit = match body.unit.as_deref() {
            None | Some("rows") => Unit::Rows,
            Some("percent") => Unit::Percent,
            Some(other) => {
                self.error(
                    range,
                    format!("unit `{other}` of rule `{name}` is not `rows` or `percent`"),
                    "`percent` compares with 0-100 percent of the rows",
                );
                return;
            }
        };
        let arguments = body.arguments.as_ref();
        let properties = || arguments.map(|a| a.properties.clone()).unwrap_or_default();
        let metric_name = body
            .metric
            .as_ref()
            .or(body.rule.as_ref())
            .map(|m| m.as_str().to_string());
        let metric = match (body.kind.as_deref(), metric_name.as_deref()) {
            (Some("sql"), _) => match &body.query {
                Some(query) => {
                    let spanned = self.positions.spanned(query);
                    Metric::Sql {
                        query: EmbeddedSql::new(
                            spanned.value,
                            spanned.range,
                            self.positions.text(),
                        ),
                        column: column.map(str::to_string),
                    }
                }
                None => {
                    self.error(
                        range,
                        format!("sql rule `{name}` has no `query`"),
                        "write `query: SELECT COUNT(*) FROM {object} WHERE ...`",
                    );
                    return;
                }
            },
            (_, Some("nullValues")) => match column {
                Some(column) => Metric::NullValues {
                    column: column.to_string(),
                },
                None => return self.needs_column(range, &name, "nullValues"),
            },
            (_, Some("duplicateValues")) => {
                let columns = match column {
                    Some(column) => vec![column.to_string()],
                    None => properties(),
                };
                if columns.is_empty() {
                    return self.needs_column(range, &name, "duplicateValues");
                }
                Metric::DuplicateValues { columns }
            }
            (_, Some("invalidValues")) => {
                let valid = arguments
                    .map(|a| a.valid_values.clone())
                    .unwrap_or_default();
                match column {
                    Some(column) if !valid.is_empty() => Metric::InvalidValues {
                        column: column.to_string(),
                        valid,
                    },
                    Some(_) => {
                        self.error(
                            range,
                            format!("rule `{name}` has no `arguments.validValues`"),
                            "list the accepted values: `arguments: {validValues: [a, b]}`",
                        );
                        return;
                    }
                    None => return self.needs_column(range, &name, "invalidValues"),
                }
            }
            (_, Some("rowCount")) => Metric::RowCount,
            (_, Some("recordLoss")) => {
                let upstream = arguments.and_then(|a| a.upstream.clone());
                let columns = properties();
                match upstream {
                    Some(upstream) if upstream.contains('.') && !columns.is_empty() => {
                        Metric::RecordLoss { upstream, columns }
                    }
                    _ => {
                        self.error(
                            range,
                            format!("record-loss rule `{name}` needs `arguments.upstream` (`domain.product`) and `arguments.properties` (the key)"),
                            "for example `arguments: {upstream: orders.stg_orders, properties: [order_id]}`",
                        );
                        return;
                    }
                }
            }
            (_, other) => {
                self.error(
                    range,
                    format!(
                        "rule `{name}` has a metric meshc cannot run: {}",
                        other.unwrap_or("none")
                    ),
                    "use nullValues, duplicateValues, invalidValues, rowCount, recordLoss (custom, engine meshc) or a `type: sql` rule",
                );
                return;
            }
        };
        let _ = self.domain;
        self.rules.push(QualityRule {
            name,
            metric,
            unit,
            threshold,
            severity,
            description: raw.description.clone(),
            range,
        });
    }

    fn needs_column(&mut self, range: TextRange, name: &str, metric: &str) {
        self.error(
            range,
            format!("rule `{name}` ({metric}) needs a column"),
            "attach it to a property's `quality:` list (or give `arguments.properties` for duplicateValues)",
        );
    }

    /// A `relationships:` entry of a column: a foreign key to another product.
    pub(crate) fn relationship(&mut self, raw: &RawRelationship, column: &str) {
        if raw.kind.as_deref().is_some_and(|k| k != "foreignKey") {
            return;
        }
        let Some(to) = &raw.to else { return };
        let spanned = self.positions.spanned(to);
        match relationship_target(&spanned.value, self.domain) {
            Some((to_product, to_column)) => self.rules.push(QualityRule {
                name: format!("{column}_references_{}", to_product.replace('.', "_")),
                metric: Metric::Relationship {
                    column: column.to_string(),
                    to_product,
                    to_column,
                },
                unit: Unit::Rows,
                threshold: Threshold::Eq(0.0),
                severity: RuleSeverity::Error,
                description: None,
                range: spanned.range,
            }),
            None => self.error(
                spanned.range,
                format!("cannot read the relationship target `{}`", spanned.value),
                "write `<path to the contract>.yaml#/schema/<product>/properties/<column>`",
            ),
        }
    }

    /// A `slaProperties:` entry; only freshness on a column is executable.
    pub(crate) fn sla(&mut self, raw: &RawSla) -> Option<Freshness> {
        let property = self.positions.spanned(&raw.property);
        if property.value != "freshness" && property.value != "latency" {
            return None;
        }
        let value = raw.value.as_ref().map(|v| self.positions.spanned(v));
        let seconds = value
            .as_ref()
            .and_then(|v| duration_seconds(&v.value, raw.unit.as_deref()));
        let Some(seconds) = seconds else {
            self.error(
                value.map(|v| v.range).unwrap_or(property.range),
                "freshness needs a number with `unit: m|h|d` or an ISO 8601 duration such as P1D"
                    .to_string(),
                "for example `value: 24` and `unit: h`",
            );
            return None;
        };
        let column = raw
            .element
            .as_ref()
            .map(|e| e.rsplit('.').next().unwrap_or(e).to_string());
        if let Some(column) = &column {
            self.rules.push(QualityRule {
                name: format!("{column}_freshness"),
                metric: Metric::Freshness {
                    column: column.clone(),
                },
                unit: Unit::Seconds,
                threshold: Threshold::Le(seconds as f64),
                severity: RuleSeverity::Error,
                description: None,
                range: property.range,
            });
        }
        Some(Freshness {
            seconds,
            column,
            range: property.range,
        })
    }
}

/// The freshness SLA of a product.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Freshness {
    pub seconds: u64,
    /// The timestamp column whose newest value must be younger than `seconds`.
    pub column: Option<String>,
    pub range: TextRange,
}

/// Reads `customProperties: [{property: meshc.access, value: [a, b]}]`.
pub(crate) fn access_list(
    raw: &[RawCustomProperty],
    positions: &Positions<'_>,
) -> Option<Spanned<Vec<String>>> {
    let entry = raw.iter().find(|p| p.property.as_str() == "meshc.access")?;
    let range = positions.spanned(&entry.property).range;
    let domains = match &entry.value {
        Some(OneOrMany::Many(items)) => items.clone(),
        Some(OneOrMany::One(s)) => s
            .split(',')
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty())
            .collect(),
        None => Vec::new(),
    };
    Some(Spanned::new(domains, range))
}

fn threshold(raw: &RawRule) -> Option<Threshold> {
    let pair = |v: &Option<Vec<f64>>| -> Option<Option<(f64, f64)>> {
        match v.as_deref() {
            None => Some(None),
            Some([a, b]) => Some(Some((*a, *b))),
            Some(_) => None,
        }
    };
    let candidates = [
        raw.must_be.map(Threshold::Eq),
        raw.must_not_be.map(Threshold::NotEq),
        raw.must_be_greater_than.map(Threshold::Gt),
        raw.must_be_greater_or_equal_to.map(Threshold::Ge),
        raw.must_be_less_than.map(Threshold::Lt),
        raw.must_be_less_or_equal_to.map(Threshold::Le),
        pair(&raw.must_be_between)?.map(|(a, b)| Threshold::Between(a, b)),
        pair(&raw.must_not_be_between)?.map(|(a, b)| Threshold::NotBetween(a, b)),
    ];
    let mut set = candidates.into_iter().flatten();
    let first = set.next()?;
    match set.next() {
        Some(_) => None,
        None => Some(first),
    }
}

/// `../../customers/contracts/stg_customers.yaml#/schema/stg_customers/properties/customer_id`
/// → (`customers.stg_customers`, `customer_id`); a file without a domain
/// directory is a product of `domain`.
fn relationship_target(to: &str, domain: &str) -> Option<(String, String)> {
    let (path, fragment) = to.split_once('#')?;
    let column = fragment
        .trim_end_matches('/')
        .rsplit('/')
        .next()?
        .to_string();
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let file = parts.last()?;
    let product = file
        .strip_suffix(".yaml")
        .or_else(|| file.strip_suffix(".yml"))?;
    let owner = match parts.iter().position(|p| *p == "contracts") {
        Some(i) if i > 0 && parts[i - 1] != ".." && parts[i - 1] != "." => parts[i - 1],
        _ => domain,
    };
    if column.is_empty() || product.is_empty() {
        return None;
    }
    Some((format!("{owner}.{product}"), column))
}

/// `24` + `h` or `P1D` / `PT12H` into seconds.
fn duration_seconds(value: &str, unit: Option<&str>) -> Option<u64> {
    let value = value.trim();
    if let Some(iso) = value.strip_prefix('P') {
        let (days, time) = iso.split_once('T').unwrap_or((iso, ""));
        let mut seconds = 0u64;
        let mut read = |text: &str, units: &[(char, u64)]| -> Option<()> {
            let mut number = String::new();
            for c in text.chars() {
                if c.is_ascii_digit() {
                    number.push(c);
                } else {
                    let (_, factor) = units.iter().find(|(u, _)| *u == c)?;
                    seconds += number.parse::<u64>().ok()? * factor;
                    number.clear();
                }
            }
            number.is_empty().then_some(())
        };
        read(days, &[('D', 86_400), ('W', 604_800)])?;
        read(time, &[('H', 3_600), ('M', 60), ('S', 1)])?;
        return (seconds > 0).then_some(seconds);
    }
    let number: f64 = value.parse().ok()?;
    let factor = match unit.unwrap_or("h") {
        "s" => 1.0,
        "m" | "min" => 60.0,
        "h" | "hour" | "hours" => 3_600.0,
        "d" | "day" | "days" => 86_400.0,
        _ => return None,
    };
    (number > 0.0).then(|| (number * factor).round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relationship_targets_name_domain_product_and_column() {
        assert_eq!(
            relationship_target(
                "../../customers/contracts/stg_customers.yaml#/schema/stg_customers/properties/customer_id",
                "insights"
            ),
            Some(("customers.stg_customers".into(), "customer_id".into()))
        );
        assert_eq!(
            relationship_target(
                "dim_customers.yaml#/schema/dim_customers/properties/customer_id",
                "insights"
            ),
            Some(("insights.dim_customers".into(), "customer_id".into()))
        );
        assert_eq!(relationship_target("no-fragment.yaml", "d"), None);
    }

    #[test]
    fn durations() {
        assert_eq!(duration_seconds("24", Some("h")), Some(86_400));
        assert_eq!(duration_seconds("P1D", None), Some(86_400));
        assert_eq!(duration_seconds("PT90M", None), Some(5_400));
        assert_eq!(duration_seconds("soon", Some("h")), None);
        assert_eq!(duration_seconds("P1X", None), None);
    }

    #[test]
    fn thresholds() {
        assert!(Threshold::Between(1.0, 3.0).holds(3.0));
        assert!(!Threshold::Lt(3.0).holds(3.0));
        assert!(Threshold::NotBetween(1.0, 3.0).holds(0.5));
    }
}
