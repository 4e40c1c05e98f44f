//! The SQL of contract quality rules, per target.
//!
//! Each rule becomes one query returning exactly one row with one DOUBLE
//! column `value`, the rule's metric (see `docs/contracts-odcs.md`), and, for
//! the rules where single rows fail (not NULL, unique, accepted values,
//! relationships, record loss), a second query returning up to N of those
//! rows for `meshc test --show-failures`.
//!
//! The product under check is a relation given as SQL text, so a runner can
//! check a new version under a temporary name before it replaces the old one;
//! every other product is named by its schema-qualified name. The metric is
//! computed as generic SQL around a few dialect hooks ([`QualityDialect`]):
//! quoting, literals of a column's type, casts, row limits and the age of a
//! timestamp. A new target is one more implementation and one more match arm
//! in [`dialect`].

use mesh_syntax::{ContractColumn, Metric, QualityRule, SqlType, Unit};

use crate::Target;

/// The product a rule belongs to.
#[derive(Clone, Copy, Debug)]
pub struct CheckedProduct<'a> {
    /// `domain.product`.
    pub id: &'a str,
    /// The relation holding the version to check, as SQL text: a quoted name
    /// such as `"orders"."stg_orders"`, or a placeholder the runner replaces.
    pub relation: &'a str,
    /// The contract's columns: rule columns must be among them, and their
    /// types decide how accepted values are written.
    pub columns: &'a [ContractColumn],
}

/// The SQL of one rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleSql {
    /// One row with one DOUBLE column `value`: the metric.
    pub value: String,
    /// Up to the requested number of failing rows, for rules whose failures
    /// are rows (`None` for row counts, freshness and SQL rules).
    pub failing_rows: Option<String>,
}

/// The SQL of `rule` of `product` for `target`; the failing-rows query returns
/// at most `failing_rows` rows. An error names what cannot be emitted (a
/// column the contract does not declare, an accepted value that is not of the
/// column's type, a unit the metric has no meaning for).
pub fn emit_rule(
    rule: &QualityRule,
    product: &CheckedProduct<'_>,
    target: Target,
    failing_rows: u64,
) -> Result<RuleSql, String> {
    let builder = Builder {
        dialect: dialect(target),
        rule,
        product,
        limit: failing_rows,
    };
    builder.emit()
}

/// The value query of a `type: sql` rule from its query as lowered for
/// `target` by [`crate::lower_rule_query`] (one query meshc printed from its
/// syntax tree, returning one number).
pub fn sql_rule(lowered_query: &str, target: Target) -> RuleSql {
    RuleSql {
        value: format!(
            "SELECT {} AS \"value\"",
            dialect(target).double(&format!("(\n{lowered_query}\n)"))
        ),
        failing_rows: None,
    }
}

/// What differs between targets in the rule SQL.
pub(crate) trait QualityDialect {
    /// A quoted identifier.
    fn ident(&self, name: &str) -> String;
    /// A literal of `ty` from its YAML text; `Err` when the text is not a
    /// value of that type.
    fn literal(&self, text: &str, ty: Option<SqlType>) -> Result<String, String>;
    /// `expr` as a double-precision number.
    fn double(&self, expr: &str) -> String;
    /// `select` returning at most `n` rows.
    fn limit(&self, select: &str, n: u64) -> String;
    /// Seconds from the timestamp or date `expr` to now; `Err` when the
    /// target cannot say it exactly.
    fn seconds_since(&self, expr: &str) -> Result<String, String>;
}

fn dialect(target: Target) -> &'static dyn QualityDialect {
    match target {
        Target::DuckDb => &DuckDbQuality,
        Target::Trino => &TrinoQuality,
        Target::Teradata => &TeradataQuality,
    }
}

/// Trino: as DuckDB, but `to_unixtime`. Other products are named by schema
/// and table: the runner's session catalog is the mesh's output catalog.
struct TrinoQuality;

impl QualityDialect for TrinoQuality {
    fn ident(&self, name: &str) -> String {
        DuckDbQuality.ident(name)
    }

    fn literal(&self, text: &str, ty: Option<SqlType>) -> Result<String, String> {
        DuckDbQuality.literal(text, ty)
    }

    fn double(&self, expr: &str) -> String {
        DuckDbQuality.double(expr)
    }

    fn limit(&self, select: &str, n: u64) -> String {
        DuckDbQuality.limit(select, n)
    }

    fn seconds_since(&self, expr: &str) -> Result<String, String> {
        Ok(format!(
            "to_unixtime(current_timestamp) - to_unixtime(CAST({expr} AS TIMESTAMP))"
        ))
    }
}

/// Teradata: `TOP n`, FLOAT, no BOOLEAN, no exact age of a timestamp.
struct TeradataQuality;

impl QualityDialect for TeradataQuality {
    fn ident(&self, name: &str) -> String {
        DuckDbQuality.ident(name)
    }

    fn literal(&self, text: &str, ty: Option<SqlType>) -> Result<String, String> {
        if ty == Some(SqlType::Boolean) {
            return Err(format!("`{text}` is a BOOLEAN, and teradata has none"));
        }
        DuckDbQuality.literal(text, ty)
    }

    fn double(&self, expr: &str) -> String {
        format!("CAST({expr} AS FLOAT)")
    }

    fn limit(&self, select: &str, n: u64) -> String {
        match select.strip_prefix("SELECT ") {
            Some(rest) => format!("SELECT TOP {n} {rest}"),
            None => format!("SELECT TOP {n} * FROM ({select}) AS \"limited\""),
        }
    }

    fn seconds_since(&self, _expr: &str) -> Result<String, String> {
        Err("freshness rules are not emitted for teradata yet (its interval arithmetic overflows for ages over 9,999 days)".to_string())
    }
}

/// DuckDB: double-quoted identifiers, `LIMIT`, `epoch`.
struct DuckDbQuality;

impl QualityDialect for DuckDbQuality {
    fn ident(&self, name: &str) -> String {
        format!("\"{}\"", name.replace('"', "\"\""))
    }

    fn literal(&self, text: &str, ty: Option<SqlType>) -> Result<String, String> {
        let quoted = format!("'{}'", text.replace('\'', "''"));
        let trimmed = text.trim();
        match ty {
            None | Some(SqlType::Varchar | SqlType::Null) => Ok(quoted),
            Some(SqlType::SmallInt | SqlType::Integer | SqlType::BigInt) => trimmed
                .parse::<i128>()
                .map(|n| n.to_string())
                .map_err(|_| format!("`{text}` is not an integer")),
            Some(SqlType::Decimal { .. } | SqlType::Real | SqlType::Double) => {
                let numeric = !trimmed.is_empty()
                    && trimmed
                        .chars()
                        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
                    && trimmed.parse::<f64>().is_ok_and(f64::is_finite);
                if numeric {
                    Ok(trimmed.to_string())
                } else {
                    Err(format!("`{text}` is not a number"))
                }
            }
            Some(SqlType::Boolean) => match trimmed.to_ascii_lowercase().as_str() {
                "true" => Ok("TRUE".to_string()),
                "false" => Ok("FALSE".to_string()),
                _ => Err(format!("`{text}` is not true or false")),
            },
            Some(SqlType::Date) => Ok(format!("DATE {quoted}")),
            Some(SqlType::Time) => Ok(format!("TIME {quoted}")),
            Some(SqlType::Timestamp) => Ok(format!("TIMESTAMP {quoted}")),
            Some(SqlType::Interval) => Ok(format!("INTERVAL {quoted}")),
        }
    }

    fn double(&self, expr: &str) -> String {
        format!("CAST({expr} AS DOUBLE)")
    }

    fn limit(&self, select: &str, n: u64) -> String {
        format!("{select}\nLIMIT {n}")
    }

    fn seconds_since(&self, expr: &str) -> Result<String, String> {
        Ok(format!("epoch(now()) - epoch(CAST({expr} AS TIMESTAMP))"))
    }
}

/// The alias of the product under check.
const CHECKED: &str = "checked";

struct Builder<'a> {
    dialect: &'static dyn QualityDialect,
    rule: &'a QualityRule,
    product: &'a CheckedProduct<'a>,
    limit: u64,
}

impl Builder<'_> {
    fn emit(&self) -> Result<RuleSql, String> {
        let percent = self.rule.unit == Unit::Percent;
        match &self.rule.metric {
            Metric::NullValues { column } => {
                let column = self.column(column)?;
                Ok(self.failing(&format!("{column} IS NULL"), percent))
            }
            Metric::InvalidValues { column, valid } => {
                let ty = self.column_type(column);
                let column = self.column(column)?;
                let literals = valid
                    .iter()
                    .map(|v| self.dialect.literal(v, ty))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| {
                        format!(
                            "rule `{}`: accepted value {e} (the column's type is {})",
                            self.rule.name,
                            ty.map(|t| t.to_string())
                                .unwrap_or_else(|| "unknown".into())
                        )
                    })?;
                let predicate = format!(
                    "{column} IS NOT NULL AND {column} NOT IN ({})",
                    literals.join(", ")
                );
                Ok(self.failing(&predicate, percent))
            }
            Metric::Relationship {
                column,
                to_product,
                to_column,
            } => {
                let column = self.column(column)?;
                let referenced = self.ident("referenced");
                let predicate = format!(
                    "{column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {} AS {referenced} WHERE {referenced}.{} = {column})",
                    self.relation_of(to_product)?,
                    self.ident(to_column)
                );
                Ok(self.failing(&predicate, percent))
            }
            Metric::DuplicateValues { columns } => self.duplicates(columns, percent),
            Metric::RowCount => {
                if percent {
                    return Err(self.no_percent("rowCount"));
                }
                Ok(RuleSql {
                    value: format!(
                        "SELECT {} AS \"value\"\nFROM {}",
                        self.dialect.double("count(*)"),
                        self.from()
                    ),
                    failing_rows: None,
                })
            }
            Metric::RecordLoss { upstream, columns } => {
                self.record_loss(upstream, columns, percent)
            }
            Metric::Freshness { column } => {
                let column = self.column(column)?;
                let age = self.dialect.seconds_since(&format!("max({column})"))?;
                Ok(RuleSql {
                    value: format!(
                        "SELECT {} AS \"value\"\nFROM {}",
                        self.dialect.double(&age),
                        self.from()
                    ),
                    failing_rows: None,
                })
            }
            Metric::Sql { .. } => Err(format!(
                "rule `{}`: a `type: sql` rule is checked and lowered by `lower_rule_query`",
                self.rule.name
            )),
        }
    }

    fn ident(&self, name: &str) -> String {
        self.dialect.ident(name)
    }

    /// `<relation> AS "checked"`.
    fn from(&self) -> String {
        format!("{} AS {}", self.product.relation, self.ident(CHECKED))
    }

    /// `"checked"."column"`, with the column's name as the contract spells it.
    fn column(&self, name: &str) -> Result<String, String> {
        Ok(self.checked(&self.column_name(name)?))
    }

    /// The name of a column as the contract spells it.
    fn column_name(&self, name: &str) -> Result<String, String> {
        self.product
            .columns
            .iter()
            .find(|c| c.name.value.eq_ignore_ascii_case(name))
            .map(|c| c.name.value.clone())
            .ok_or_else(|| {
                format!(
                    "rule `{}` names column `{name}`, which the contract of {} does not declare",
                    self.rule.name, self.product.id
                )
            })
    }

    /// `"checked"."name"`.
    fn checked(&self, name: &str) -> String {
        format!("{}.{}", self.ident(CHECKED), self.ident(name))
    }

    fn column_type(&self, name: &str) -> Option<SqlType> {
        self.product
            .columns
            .iter()
            .find(|c| c.name.value.eq_ignore_ascii_case(name))
            .and_then(|c| c.ty.as_ref().map(|t| t.value))
    }

    /// The relation of `domain.product`: the one under check when it names
    /// the product itself, else its schema-qualified name.
    fn relation_of(&self, product: &str) -> Result<String, String> {
        if product.eq_ignore_ascii_case(self.product.id) {
            return Ok(self.product.relation.to_string());
        }
        let (domain, name) = product.split_once('.').ok_or_else(|| {
            format!(
                "rule `{}` names product `{product}`; write DOMAIN.PRODUCT",
                self.rule.name
            )
        })?;
        Ok(format!("{}.{}", self.ident(domain), self.ident(name)))
    }

    fn no_percent(&self, metric: &str) -> String {
        format!(
            "rule `{}`: `unit: percent` has no meaning for {metric}",
            self.rule.name
        )
    }

    /// Rules whose failures are rows of the product matching `predicate`: the
    /// count of those rows, or their percentage of the product's rows.
    fn failing(&self, predicate: &str, percent: bool) -> RuleSql {
        let value = if percent {
            let failed = format!("sum(CASE WHEN {predicate} THEN 1 ELSE 0 END)");
            format!(
                "SELECT {} AS \"value\"\nFROM {}",
                self.dialect.double(&percentage(&failed, "count(*)")),
                self.from()
            )
        } else {
            format!(
                "SELECT {} AS \"value\"\nFROM {}\nWHERE {predicate}",
                self.dialect.double("count(*)"),
                self.from()
            )
        };
        let rows = format!(
            "SELECT {}.*\nFROM {}\nWHERE {predicate}",
            self.ident(CHECKED),
            self.from()
        );
        RuleSql {
            value,
            failing_rows: Some(self.dialect.limit(&rows, self.limit)),
        }
    }

    /// Distinct values (combinations) of `columns`, all non-NULL, that occur
    /// in more than one row.
    fn duplicates(&self, columns: &[String], percent: bool) -> Result<RuleSql, String> {
        let names = columns
            .iter()
            .map(|c| self.column_name(c))
            .collect::<Result<Vec<_>, _>>()?;
        let columns: Vec<String> = names.iter().map(|n| self.checked(n)).collect();
        let not_null = columns
            .iter()
            .map(|c| format!("{c} IS NOT NULL"))
            .collect::<Vec<_>>()
            .join(" AND ");
        let keys = columns.join(", ");
        let groups = format!(
            "SELECT {keys}\n  FROM {}\n  WHERE {not_null}\n  GROUP BY {keys}\n  HAVING count(*) > 1",
            self.from()
        );
        let duplicates = self.ident("duplicates");
        let count = if percent {
            percentage(
                "count(*)",
                &format!("(SELECT count(*) FROM {})", self.product.relation),
            )
        } else {
            "count(*)".to_string()
        };
        let value = format!(
            "SELECT {} AS \"value\"\nFROM (\n  {groups}\n) AS {duplicates}",
            self.dialect.double(&count)
        );
        // The rows of the duplicated keys: the inner query's columns are
        // named like the product's, so the join reads them by name.
        let on = names
            .iter()
            .map(|n| {
                let n = self.ident(n);
                format!("{duplicates}.{n} = {}.{n}", self.ident(CHECKED))
            })
            .collect::<Vec<_>>()
            .join(" AND ");
        let rows = format!(
            "SELECT {}.*\nFROM {}\nJOIN (\n  {groups}\n) AS {duplicates} ON {on}\nORDER BY {keys}",
            self.ident(CHECKED),
            self.from()
        );
        Ok(RuleSql {
            value,
            failing_rows: Some(self.dialect.limit(&rows, self.limit)),
        })
    }

    /// Rows of `upstream` whose key has no row with the same key (NULL
    /// matching NULL) in the product.
    fn record_loss(
        &self,
        upstream: &str,
        columns: &[String],
        percent: bool,
    ) -> Result<RuleSql, String> {
        let relation = self.relation_of(upstream)?;
        let alias = self.ident("upstream");
        let matches = columns
            .iter()
            .map(|c| {
                let name = self.column_name(c)?;
                Ok(format!(
                    "{} IS NOT DISTINCT FROM {alias}.{}",
                    self.checked(&name),
                    self.ident(&name)
                ))
            })
            .collect::<Result<Vec<_>, String>>()?
            .join(" AND ");
        let lost = format!("NOT EXISTS (SELECT 1 FROM {} WHERE {matches})", self.from());
        let value = if percent {
            let failed = format!("sum(CASE WHEN {lost} THEN 1 ELSE 0 END)");
            format!(
                "SELECT {} AS \"value\"\nFROM {relation} AS {alias}",
                self.dialect.double(&percentage(&failed, "count(*)"))
            )
        } else {
            format!(
                "SELECT {} AS \"value\"\nFROM {relation} AS {alias}\nWHERE {lost}",
                self.dialect.double("count(*)")
            )
        };
        let rows = format!("SELECT {alias}.*\nFROM {relation} AS {alias}\nWHERE {lost}");
        Ok(RuleSql {
            value,
            failing_rows: Some(self.dialect.limit(&rows, self.limit)),
        })
    }
}

/// `part` as a percentage of `whole`; 0 when `whole` is 0.
fn percentage(part: &str, whole: &str) -> String {
    format!("coalesce(100.0 * {part} / nullif({whole}, 0), 0)")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use expect_test::expect;
    use mesh_syntax::{Contract, RuleSeverity, Threshold, parse_contract};

    use super::*;

    fn contract() -> Contract {
        let text = "schema:\n  - name: p\n    properties:\n      - name: id\n        physicalType: INTEGER\n      - name: Label\n        physicalType: VARCHAR\n      - name: day\n        physicalType: DATE\n      - name: price\n        physicalType: DECIMAL(10,2)\n      - name: flag\n        physicalType: BOOLEAN\n      - name: parent_id\n        physicalType: INTEGER\n";
        let (contract, diagnostics) = parse_contract(&Arc::from("d/contracts/p.yaml"), text);
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        contract.expect("parsed")
    }

    fn rule(metric: Metric, unit: Unit) -> QualityRule {
        QualityRule {
            name: "r".into(),
            metric,
            unit,
            threshold: Threshold::Eq(0.0),
            severity: RuleSeverity::Error,
            description: None,
            range: Default::default(),
        }
    }

    fn emit(metric: Metric, unit: Unit) -> Result<RuleSql, String> {
        let contract = contract();
        let product = CheckedProduct {
            id: "d.p",
            relation: "\"d\".\"p__new\"",
            columns: &contract.columns,
        };
        emit_rule(&rule(metric, unit), &product, Target::DuckDb, 5)
    }

    fn invalid(column: &str, valid: &[&str]) -> Result<String, String> {
        let metric = Metric::InvalidValues {
            column: column.into(),
            valid: valid.iter().map(|v| v.to_string()).collect(),
        };
        emit(metric, Unit::Rows).map(|sql| sql.value)
    }

    #[test]
    fn accepted_values_are_literals_of_the_column_type() {
        expect![[r#"
            SELECT CAST(count(*) AS DOUBLE) AS "value"
            FROM "d"."p__new" AS "checked"
            WHERE "checked"."Label" IS NOT NULL AND "checked"."Label" NOT IN ('it''s', 'a"b', '')"#]]
        .assert_eq(&invalid("label", &["it's", "a\"b", ""]).unwrap());
        let last_line = |sql: String| sql.lines().last().unwrap_or_default().to_string();
        expect![[r#"WHERE "checked"."id" IS NOT NULL AND "checked"."id" NOT IN (1, -2, 30)"#]]
            .assert_eq(&last_line(invalid("id", &["1", " -2", "030"]).unwrap()));
        expect![[r#"WHERE "checked"."day" IS NOT NULL AND "checked"."day" NOT IN (DATE '2018-01-01', DATE 'x''; DROP TABLE t; --')"#]]
            .assert_eq(&last_line(invalid("day", &["2018-01-01", "x'; DROP TABLE t; --"]).unwrap()));
        expect![[
            r#"WHERE "checked"."price" IS NOT NULL AND "checked"."price" NOT IN (1.50, 2e3)"#
        ]]
        .assert_eq(&last_line(invalid("price", &["1.50", "2e3"]).unwrap()));
        expect![[r#"WHERE "checked"."flag" IS NOT NULL AND "checked"."flag" NOT IN (TRUE)"#]]
            .assert_eq(&last_line(invalid("flag", &["True"]).unwrap()));
        assert_eq!(
            invalid("id", &["1", "1; DROP TABLE t"]),
            Err("rule `r`: accepted value `1; DROP TABLE t` is not an integer (the column's type is INTEGER)".into())
        );
        assert!(invalid("price", &["inf"]).is_err());
        assert!(invalid("flag", &["yes"]).is_err());
    }

    #[test]
    fn percentages_duplicates_freshness_and_self_references() {
        let sql = emit(
            Metric::DuplicateValues {
                columns: vec!["ID".into(), "day".into()],
            },
            Unit::Percent,
        )
        .unwrap();
        expect![[r#"
            SELECT CAST(coalesce(100.0 * count(*) / nullif((SELECT count(*) FROM "d"."p__new"), 0), 0) AS DOUBLE) AS "value"
            FROM (
              SELECT "checked"."id", "checked"."day"
              FROM "d"."p__new" AS "checked"
              WHERE "checked"."id" IS NOT NULL AND "checked"."day" IS NOT NULL
              GROUP BY "checked"."id", "checked"."day"
              HAVING count(*) > 1
            ) AS "duplicates""#]]
        .assert_eq(&sql.value);
        let sql = emit(
            Metric::Freshness {
                column: "day".into(),
            },
            Unit::Seconds,
        )
        .unwrap();
        expect![[r#"
            SELECT CAST(epoch(now()) - epoch(CAST(max("checked"."day") AS TIMESTAMP)) AS DOUBLE) AS "value"
            FROM "d"."p__new" AS "checked""#]]
        .assert_eq(&sql.value);
        assert_eq!(sql.failing_rows, None);
        // A foreign key into the product itself reads the version under check.
        let sql = emit(
            Metric::Relationship {
                column: "parent_id".into(),
                to_product: "d.p".into(),
                to_column: "id".into(),
            },
            Unit::Rows,
        )
        .unwrap();
        expect![[r#"
            SELECT "checked".*
            FROM "d"."p__new" AS "checked"
            WHERE "checked"."parent_id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "d"."p__new" AS "referenced" WHERE "referenced"."id" = "checked"."parent_id")
            LIMIT 5"#]]
        .assert_eq(&sql.failing_rows.unwrap());
        let sql = sql_rule(
            r#"SELECT count(*) FROM "d"."p__new" WHERE "amount" < 0"#,
            Target::DuckDb,
        );
        expect![[r#"
            SELECT CAST((
            SELECT count(*) FROM "d"."p__new" WHERE "amount" < 0
            ) AS DOUBLE) AS "value""#]]
        .assert_eq(&sql.value);
    }

    #[test]
    fn what_cannot_be_emitted_is_an_error() {
        let errors: Vec<String> = [
            emit(
                Metric::NullValues {
                    column: "nope".into(),
                },
                Unit::Rows,
            ),
            emit(Metric::RowCount, Unit::Percent),
            emit(
                Metric::RecordLoss {
                    upstream: "nodomain".into(),
                    columns: vec!["id".into()],
                },
                Unit::Rows,
            ),
        ]
        .into_iter()
        .map(|r| r.unwrap_err())
        .collect();
        expect![[r#"
            rule `r` names column `nope`, which the contract of d.p does not declare
            rule `r`: `unit: percent` has no meaning for rowCount
            rule `r` names product `nodomain`; write DOMAIN.PRODUCT"#]]
        .assert_eq(&errors.join("\n"));
    }
}
