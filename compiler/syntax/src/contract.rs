//! ODCS v3 data contracts (`<domain>/contracts/<product>.yaml`): the part of a
//! contract the compiler checks against. Unknown ODCS fields are accepted.

use std::collections::HashMap;
use std::sync::Arc;

use marked_yaml::Spanned as Marked;
use mesh_diagnostics::{Code, Diagnostic, TextRange};
use serde::Deserialize;

use crate::config::unknown_type;
use crate::quality::{
    Freshness, QualityRule, RawCustomProperty, RawRelationship, RawRule, RawSla, RuleReader,
    access_list,
};
use crate::types::SqlType;
use crate::yaml::{Positions, Spanned, deserialize, parse_version};

/// One column a contract promises.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ContractColumn {
    pub name: Spanned<String>,
    pub logical_type: Option<Spanned<String>>,
    /// The mesh SQL type, from `physicalType` (or derived from `logicalType`
    /// when that names exactly one type).
    pub ty: Option<Spanned<SqlType>>,
    pub required: bool,
    pub unique: bool,
    pub primary_key: bool,
    pub description: Option<String>,
}

/// A parsed contract.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Contract {
    pub id: Option<Spanned<String>>,
    pub version: Option<Spanned<semver::Version>>,
    pub status: Option<String>,
    pub domain: Option<Spanned<String>>,
    /// The `name` of the one schema object, with its range.
    pub schema_name: Option<Spanned<String>>,
    pub columns: Vec<ContractColumn>,
    /// Range of the whole `schema:` entry, for diagnostics about the product.
    pub range: TextRange,
    pub data_product: Option<Spanned<String>>,
    /// `team` member with role `owner` (ODCS v3.1 object or v3.0 list form).
    pub owner: Option<String>,
    /// `description.purpose`.
    pub purpose: Option<String>,
    /// Executable quality rules (product, column, relationship and freshness).
    pub quality: Vec<QualityRule>,
    pub freshness: Option<Freshness>,
    /// Domains allowed to read the product besides its own (`meshc.access`);
    /// `None`: every domain that declares the dependency.
    pub access: Option<Spanned<Vec<String>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawContract {
    #[serde(default)]
    api_version: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    id: Option<Marked<String>>,
    #[serde(default)]
    version: Option<Marked<String>>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    domain: Option<Marked<String>>,
    #[serde(default)]
    data_product: Option<Marked<String>>,
    #[serde(default)]
    description: Option<RawDescription>,
    #[serde(default)]
    team: Option<RawTeam>,
    #[serde(default)]
    schema: Vec<RawSchemaObject>,
    #[serde(default)]
    sla_properties: Vec<RawSla>,
    #[serde(default)]
    custom_properties: Vec<RawCustomProperty>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawDescription {
    Object {
        #[serde(default)]
        purpose: Option<String>,
    },
    Text(String),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawTeam {
    Object {
        #[serde(default)]
        members: Vec<RawMember>,
    },
    List(Vec<RawMember>),
}

#[derive(Deserialize)]
struct RawMember {
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    role: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawSchemaObject {
    name: Marked<String>,
    #[serde(default)]
    properties: Vec<RawProperty>,
    #[serde(default)]
    quality: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawProperty {
    name: Marked<String>,
    #[serde(default)]
    logical_type: Option<Marked<String>>,
    #[serde(default)]
    physical_type: Option<Marked<String>>,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    unique: bool,
    #[serde(default)]
    primary_key: bool,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    quality: Vec<RawRule>,
    #[serde(default)]
    relationships: Vec<RawRelationship>,
}

/// Parses a contract file.
pub fn parse_contract(file: &Arc<str>, text: &str) -> (Option<Contract>, Vec<Diagnostic>) {
    let positions = Positions::new(text);
    let (raw, mut diagnostics) = deserialize::<RawContract>(file, text, &positions, "contract");
    let Some(raw) = raw else {
        return (None, diagnostics);
    };
    let _ = (&raw.api_version, &raw.kind);
    let version = raw.version.as_ref().and_then(|v| {
        parse_version(
            file,
            &positions.spanned(v),
            "contract version ",
            &mut diagnostics,
        )
    });
    if raw.schema.len() > 1 {
        let extra = positions.spanned(&raw.schema[1].name);
        diagnostics.push(
            Diagnostic::new(
                Code::ContractSchemaName,
                file.clone(),
                extra.range,
                "a meshc contract publishes one product, so it has one schema object",
            )
            .with_help("move each further table into a contract file of its own"),
        );
    }
    let Some(object) = raw.schema.first() else {
        diagnostics.push(
            Diagnostic::new(
                Code::ContractSchemaName,
                file.clone(),
                TextRange::empty(0),
                "the contract has no `schema` entry describing the product's columns",
            )
            .with_help("add `schema: [{ name: <product>, properties: [...] }]`"),
        );
        return (None, diagnostics);
    };
    let mut seen: HashMap<String, TextRange> = HashMap::new();
    let mut columns = Vec::new();
    for property in &object.properties {
        let name = positions.spanned(&property.name);
        if let Some(first) = seen.get(&name.value.to_ascii_lowercase()) {
            diagnostics.push(
                Diagnostic::new(
                    Code::ContractDuplicateColumn,
                    file.clone(),
                    name.range,
                    format!("column `{}` is declared twice", name.value),
                )
                .with_label(file.clone(), *first, "first declared here")
                .with_help("remove or rename one of the two declarations"),
            );
            continue;
        }
        seen.insert(name.value.to_ascii_lowercase(), name.range);
        let logical_type = property.logical_type.as_ref().map(|l| positions.spanned(l));
        let ty = match &property.physical_type {
            Some(physical) => {
                let physical = positions.spanned(physical);
                match SqlType::parse(&physical.value) {
                    Some(ty) => Some(Spanned::new(ty, physical.range)),
                    None => {
                        diagnostics.push(unknown_type(file, &physical));
                        None
                    }
                }
            }
            None => logical_type.as_ref().and_then(|l| {
                let ty = match l.value.as_str() {
                    "integer" => SqlType::Integer,
                    "string" => SqlType::Varchar,
                    "date" => SqlType::Date,
                    "boolean" => SqlType::Boolean,
                    "timestamp" => SqlType::Timestamp,
                    "number" => SqlType::Double,
                    _ => return None,
                };
                Some(Spanned::new(ty, l.range))
            }),
        };
        columns.push(ContractColumn {
            name,
            logical_type,
            ty,
            required: property.required,
            unique: property.unique,
            primary_key: property.primary_key,
            description: property.description.clone(),
        });
    }
    let schema_name = positions.spanned(&object.name);
    let domain = raw.domain.as_ref().map(|d| positions.spanned(d));
    let owning_domain = file.split('/').next().unwrap_or_default().to_string();
    let mut reader = RuleReader {
        file,
        positions: &positions,
        domain: &owning_domain,
        diagnostics: &mut diagnostics,
        rules: Vec::new(),
    };
    for rule in &object.quality {
        reader.read(rule, None, schema_name.range);
    }
    for property in &object.properties {
        let range = positions.spanned(&property.name).range;
        for rule in &property.quality {
            reader.read(rule, Some(property.name.as_str()), range);
        }
        for relationship in &property.relationships {
            reader.relationship(relationship, property.name.as_str());
        }
    }
    let mut freshness = None;
    for sla in &raw.sla_properties {
        freshness = freshness.or(reader.sla(sla));
    }
    let quality = reader.rules;
    let members = match &raw.team {
        Some(RawTeam::Object { members }) | Some(RawTeam::List(members)) => members.as_slice(),
        None => &[],
    };
    let owner = members
        .iter()
        .find(|m| m.role.as_deref() == Some("owner"))
        .or(members.first())
        .and_then(|m| m.username.clone());
    let contract = Contract {
        data_product: raw.data_product.as_ref().map(|d| positions.spanned(d)),
        owner,
        purpose: match &raw.description {
            Some(RawDescription::Object { purpose }) => purpose.clone(),
            Some(RawDescription::Text(text)) => Some(text.clone()),
            None => None,
        },
        quality,
        freshness,
        access: access_list(&raw.custom_properties, &positions),
        id: raw.id.as_ref().map(|i| positions.spanned(i)),
        version,
        status: raw.status,
        domain,
        range: schema_name.range,
        schema_name: Some(schema_name),
        columns,
    };
    (Some(contract), diagnostics)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_columns_and_reports_duplicates() {
        let text = "apiVersion: v3.0.2\nkind: DataContract\nid: o.p\nversion: 1.0.0\nstatus: active\ncustomField: kept\nschema:\n  - name: p\n    properties:\n      - name: a\n        physicalType: BIGINT\n        required: true\n      - name: b\n        logicalType: date\n      - name: A\n        physicalType: INTEGER\n";
        let (contract, diagnostics) = parse_contract(&Arc::from("o/contracts/p.yaml"), text);
        let contract = contract.expect("parsed");
        assert_eq!(contract.columns.len(), 2);
        assert_eq!(
            contract.columns[0].ty.as_ref().map(|t| t.value),
            Some(SqlType::BigInt)
        );
        assert!(contract.columns[0].required);
        assert_eq!(
            contract.columns[1].ty.as_ref().map(|t| t.value),
            Some(SqlType::Date)
        );
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].code, Code::ContractDuplicateColumn);
        let r = diagnostics[0].range;
        assert_eq!(&text[r.start as usize..r.end as usize], "A");
    }

    #[test]
    fn reads_quality_rules_sla_and_access_of_the_examples() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../projects/jaffle_mesh/");
        let path = "insights/contracts/dim_customers.yaml";
        let text = std::fs::read_to_string(format!("{root}{path}")).expect("example exists");
        let (contract, diagnostics) = parse_contract(&Arc::from(path), &text);
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        let contract = contract.expect("parsed");
        let rules: Vec<String> = contract
            .quality
            .iter()
            .map(|r| {
                format!(
                    "{} {:?} {:?} {} {:?}",
                    r.name, r.metric, r.unit, r.threshold, r.severity
                )
            })
            .collect();
        expect_test::expect![[r#"
            dim_customers_row_count RowCount Rows between 50 and 1000000 Error
            no_customer_lost RecordLoss { upstream: "customers.stg_customers", columns: ["customer_id"] } Rows = 0 Error
            customer_id_not_null NullValues { column: "customer_id" } Rows = 0 Error
            customer_id_unique DuplicateValues { columns: ["customer_id"] } Rows = 0 Error
            customer_id_references_customers_stg_customers Relationship { column: "customer_id", to_product: "customers.stg_customers", to_column: "customer_id" } Rows = 0 Error
            first_order_complete NullValues { column: "first_order" } Percent <= 50 Warning"#]]
        .assert_eq(&rules.join("\n"));
        assert_eq!(contract.owner.as_deref(), Some("analytics@jaffle.example"));
        assert_eq!(contract.freshness.as_ref().map(|f| f.seconds), Some(86_400));
        assert!(contract.access.is_none());
        let path = "orders/contracts/stg_orders.yaml";
        let text = std::fs::read_to_string(format!("{root}{path}")).expect("example exists");
        let (contract, diagnostics) = parse_contract(&Arc::from(path), &text);
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        let access = contract.and_then(|c| c.access).map(|a| a.value);
        assert_eq!(access, Some(vec!["insights".to_string()]));
    }

    #[test]
    fn bad_rules_are_diagnostics() {
        let text = "schema:\n  - name: p\n    quality:\n      - name: two_ops\n        metric: rowCount\n        mustBe: 1\n        mustBeLessThan: 3\n      - name: odd\n        metric: fancyMetric\n        mustBe: 0\n    properties:\n      - name: a\n        physicalType: INTEGER\n        quality:\n          - name: bad_sev\n            metric: nullValues\n            mustBe: 0\n            severity: fatal\n";
        let (_, diagnostics) = parse_contract(&Arc::from("o/contracts/p.yaml"), text);
        let messages: Vec<&str> = diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            vec![
                "rule `two_ops` has no operator (or more than one)",
                "rule `odd` has a metric meshc cannot run: fancyMetric",
                "severity `fatal` of rule `bad_sev` is not `error` or `warning`",
            ]
        );
        assert!(
            diagnostics
                .iter()
                .all(|d| d.code == Code::InvalidQualityRule)
        );
    }
}
