//! `meshc test`: the quality rules of the selected published products, run
//! read-only against the database of the last run.

use mesh_engine::{CheckSeverity, ModelNode};

use crate::build::{check_unit, checked_plan, default_database, engine_model, value_text};
use crate::query::table;
use crate::{BuildArgs, DiagnosticFormat, GlobalArgs, Outcome, TargetArg, TestArgs};

pub(crate) fn test(global: &GlobalArgs, args: &TestArgs) -> Outcome {
    let build_args = BuildArgs {
        target: TargetArg::Duckdb,
        select: args.select.clone(),
        format: DiagnosticFormat::Human,
    };
    let (session, plan) = match checked_plan(global, &build_args) {
        Ok(found) => found,
        Err(outcome) => return outcome,
    };
    let database = args
        .database
        .clone()
        .unwrap_or_else(|| default_database(&session));
    let models: Vec<ModelNode> = plan
        .models
        .iter()
        .filter(|m| !m.checks.is_empty())
        .map(engine_model)
        .collect();
    if models.is_empty() {
        session.progress("no selected product has quality rules");
        return Outcome::Success;
    }
    let tests = match mesh_engine::test(&database, &models, args.show_failures) {
        Ok(tests) => tests,
        Err(message) => {
            eprintln!("error: {message}");
            return Outcome::Failure;
        }
    };

    let header = [
        "product",
        "rule",
        "severity",
        "value",
        "threshold",
        "status",
    ];
    let mut rows: Vec<[String; 6]> = Vec::new();
    let mut problems = Vec::new();
    let (mut passed, mut errors, mut warnings) = (0, 0, 0);
    for test in &tests {
        if let Some(error) = &test.error {
            problems.push(format!("error: {error}"));
            errors += 1;
            continue;
        }
        for check in &test.checks {
            let status = match (check.passed, check.severity) {
                (true, _) => {
                    passed += 1;
                    "pass"
                }
                (false, CheckSeverity::Error) => {
                    errors += 1;
                    "FAIL"
                }
                (false, CheckSeverity::Warning) => {
                    warnings += 1;
                    "WARN"
                }
            };
            if let Some(error) = &check.error {
                problems.push(format!(
                    "{} {}: could not be checked: {error}",
                    test.id, check.name
                ));
            }
            rows.push([
                test.id.clone(),
                check.name.clone(),
                crate::build::severity_name(check.severity).to_string(),
                value_text(check.value, check_unit(&plan, &test.id, &check.name)),
                check.threshold.clone(),
                status.to_string(),
            ]);
        }
    }
    print!("{}", aligned(&header, &rows));
    for problem in &problems {
        eprintln!("{problem}");
    }
    if args.show_failures {
        for test in &tests {
            for check in test.checks.iter().filter(|c| !c.passed) {
                if let Some(failing) = &check.failing_rows {
                    println!(
                        "\nfailing rows of {} {} (at most {}):",
                        test.id,
                        check.name,
                        mesh_analysis::FAILING_ROWS
                    );
                    print!("{}", table(failing));
                }
            }
        }
    }
    session.progress(&format!(
        "{} rule{} on {} product{} in {}: {passed} passed, {errors} failed, {warnings} warning{}",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" },
        tests.len(),
        if tests.len() == 1 { "" } else { "s" },
        database
            .strip_prefix(&session.root)
            .unwrap_or(&database)
            .display(),
        if warnings == 1 { "" } else { "s" },
    ));
    if errors > 0 {
        Outcome::Failure
    } else {
        Outcome::Success
    }
}

/// Columns padded to their widest cell; the value column right-aligned.
fn aligned(header: &[&str; 6], rows: &[[String; 6]]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i == 3 {
                    format!("{c:>w$}", w = widths[i])
                } else {
                    format!("{c:<w$}", w = widths[i])
                }
            })
            .collect();
        format!("{}\n", parts.join("  ").trim_end())
    };
    let mut out = line(header.to_vec());
    out.push_str(&line(
        widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str)
            .collect(),
    ));
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}
