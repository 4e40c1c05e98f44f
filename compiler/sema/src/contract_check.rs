//! The producer side of contracts: a published model's inferred output must be
//! exactly what its contract promises (columns, types, nullability).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use mesh_diagnostics::{Code, Diagnostic, TextRange};
use mesh_syntax::{Contract, SqlType};

use crate::relation::Relation;

/// Compares a model's output with its own contract. Diagnostics sit at the
/// model column with a label at the contract line (or the other way round for
/// columns the model lacks).
pub(crate) fn check_producer(
    contract: &Contract,
    contract_file: &Arc<str>,
    output: &Relation,
    column_ranges: &[TextRange],
    model_file: &Arc<str>,
    whole_query: TextRange,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let label = match &contract.version {
        Some(v) => format!("contract {}@{}", contract_name(contract), v.value),
        None => format!("contract {}", contract_name(contract)),
    };
    // Columns by lowercase name (the first of repeats, like `Relation::column`):
    // with thousands of columns, a scan per column was quadratic.
    let mut output_index: HashMap<String, usize> = HashMap::with_capacity(output.columns.len());
    for (index, column) in output.columns.iter().enumerate() {
        output_index
            .entry(column.name.to_ascii_lowercase())
            .or_insert(index);
    }
    let declared_names: HashSet<String> = contract
        .columns
        .iter()
        .map(|c| c.name.value.to_ascii_lowercase())
        .collect();
    for declared in &contract.columns {
        let found = output_index
            .get(&declared.name.value.to_ascii_lowercase())
            .map(|&index| (index, &output.columns[index]));
        let Some((index, actual)) = found else {
            diagnostics.push(
                Diagnostic::new(
                    Code::ContractMissingColumn,
                    model_file.clone(),
                    whole_query,
                    format!("the model does not output column `{}` promised by its {label}", declared.name.value),
                )
                .with_label(contract_file.clone(), declared.name.range, "promised here")
                .with_help(format!(
                    "add `{}` to the SELECT list, or remove it from the contract (a breaking change for consumers)",
                    declared.name.value
                )),
            );
            continue;
        };
        let at = column_ranges.get(index).copied().unwrap_or(whole_query);
        if let Some(expected) = &declared.ty
            && actual.ty != expected.value
            && actual.ty != SqlType::Null
        {
            diagnostics.push(
                Diagnostic::new(
                    Code::ContractTypeMismatch,
                    model_file.clone(),
                    at,
                    format!(
                        "column `{}` is {} but its {label} declares {}",
                        actual.name, actual.ty, expected.value
                    ),
                )
                .with_label(contract_file.clone(), expected.range, "declared here")
                .with_help(format!(
                    "CAST it in the model (`CAST(... AS {}) AS {}`) or correct the contract",
                    expected.value, actual.name
                )),
            );
        }
        if declared.required && actual.nullable && actual.ty != SqlType::Null {
            diagnostics.push(
                Diagnostic::new(
                    Code::ContractNullable,
                    model_file.clone(),
                    at,
                    format!(
                        "column `{}` may be NULL but its {label} marks it `required: true`",
                        actual.name
                    ),
                )
                .with_label(contract_file.clone(), declared.name.range, "required here")
                .with_help("filter the NULLs, COALESCE the column, or set `required: false` in the contract"),
            );
        }
    }
    for (index, actual) in output.columns.iter().enumerate() {
        if declared_names.contains(&actual.name.to_ascii_lowercase()) {
            continue;
        }
        let at = column_ranges.get(index).copied().unwrap_or(whole_query);
        let schema_range = contract
            .schema_name
            .as_ref()
            .map(|s| s.range)
            .unwrap_or(contract.range);
        diagnostics.push(
            Diagnostic::new(
                Code::ContractExtraColumn,
                model_file.clone(),
                at,
                format!("column `{}` is not declared in the {label}", actual.name),
            )
            .with_label(
                contract_file.clone(),
                schema_range,
                "the contract's columns",
            )
            .with_help(format!(
                "declare `{}` in the contract (`physicalType: {}`) or drop it from the SELECT list",
                actual.name, actual.ty
            )),
        );
    }
}

fn contract_name(contract: &Contract) -> String {
    contract
        .id
        .as_ref()
        .map(|i| i.value.clone())
        .or_else(|| contract.schema_name.as_ref().map(|s| s.value.clone()))
        .unwrap_or_default()
}
