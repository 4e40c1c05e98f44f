//! ODCS v3 data contracts (`<domain>/contracts/<product>.yaml`): the part of a
//! contract the compiler checks against. Unknown ODCS fields are accepted.

use std::collections::HashMap;
use std::sync::Arc;

use marked_yaml::Spanned as Marked;
use mesh_diagnostics::{Code, Diagnostic, TextRange};
use serde::Deserialize;

use crate::config::unknown_type;
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
    schema: Vec<RawSchemaObject>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawSchemaObject {
    name: Marked<String>,
    #[serde(default)]
    properties: Vec<RawProperty>,
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
    let contract = Contract {
        id: raw.id.as_ref().map(|i| positions.spanned(i)),
        version,
        status: raw.status,
        domain: raw.domain.as_ref().map(|d| positions.spanned(d)),
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
}
