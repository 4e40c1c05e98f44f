//! Read-only queries: typed cells, missing databases and refused writes.

mod common;

use common::{Project, model};
use mesh_engine::{Cell, Materialization::Table, query_all};

fn database_with_one_table() -> Project {
    let project = Project::new();
    let sql = "SELECT * FROM (VALUES
        (1, DATE '2018-01-01', TIMESTAMP '2018-01-01 10:00:00', 10.50::DECIMAL(10,2), 'Ann', true, 1.5::DOUBLE),
        (2, NULL, TIMESTAMP '2018-01-02 00:00:00.25', -3.00::DECIMAL(10,2), NULL, false, NULL)
    ) t(id, day, ts, amount, name, active, score)";
    let results = project.run(vec![], vec![model("s", "t", Table, sql, &[])]);
    assert!(results.success(), "{:?}", results.results);
    project
}

#[test]
fn query_returns_typed_cells() {
    let project = database_with_one_table();
    let result = query_all(&project.database, "SELECT * FROM s.t ORDER BY id").unwrap();
    assert_eq!(
        result.columns,
        ["id", "day", "ts", "amount", "name", "active", "score"]
    );
    assert_eq!(
        result.rows,
        vec![
            vec![
                Cell::Int(1),
                Cell::Text("2018-01-01".into()),
                Cell::Text("2018-01-01 10:00:00".into()),
                Cell::Text("10.50".into()),
                Cell::Text("Ann".into()),
                Cell::Bool(true),
                Cell::Float(1.5),
            ],
            vec![
                Cell::Int(2),
                Cell::Null,
                Cell::Text("2018-01-02 00:00:00.25".into()),
                Cell::Text("-3.00".into()),
                Cell::Null,
                Cell::Bool(false),
                Cell::Null,
            ],
        ]
    );
    let printed: Vec<String> = result.rows[1].iter().map(Cell::to_string).collect();
    assert_eq!(
        printed,
        [
            "2",
            "NULL",
            "2018-01-02 00:00:00.25",
            "-3.00",
            "NULL",
            "false",
            "NULL"
        ]
    );
    assert_eq!(
        serde_json::to_string(&result.rows[0]).unwrap(),
        r#"[1,"2018-01-01","2018-01-01 10:00:00","10.50","Ann",true,1.5]"#
    );
}

#[test]
fn query_prints_other_types_like_duckdb() {
    let project = database_with_one_table();
    let sql = "SELECT 170141183460469231731687303715884105727::HUGEINT AS big, 1.1::FLOAT AS f, \
               TIME '10:11:12.5' AS t, TIMESTAMPTZ '2018-01-01 10:00:00+02' AS tz, [1, 2] AS l, \
               {'a': 1, 'b': 'x'} AS st, INTERVAL 1 YEAR + INTERVAL 3 DAY AS i, 255::UTINYINT AS u";
    let result = query_all(&project.database, sql).unwrap();
    let printed: Vec<String> = result.rows[0].iter().map(Cell::to_string).collect();
    assert_eq!(
        printed,
        [
            "170141183460469231731687303715884105727",
            "1.1",
            "10:11:12.5",
            "2018-01-01 08:00:00+00",
            "[1, 2]",
            "{'a': 1, 'b': x}",
            "1 year 3 days",
            "255",
        ]
    );
    assert_eq!(result.rows[0][1], Cell::Float(1.1));
    assert_eq!(result.rows[0][7], Cell::Int(255));
}

#[test]
fn query_reports_missing_database_and_sql_errors() {
    let empty = Project::with_database("target/mesh.duckdb");
    let missing = &empty.database;
    let error = query_all(missing, "SELECT 1").unwrap_err();
    assert_eq!(
        error,
        format!(
            "database {} does not exist; run `meshc run` first",
            missing.display()
        )
    );
    assert!(!missing.exists());

    let project = database_with_one_table();
    let error = query_all(&project.database, "SELECT nope FROM s.t").unwrap_err();
    assert!(
        error.starts_with("Binder Error: Referenced column \"nope\" not found"),
        "{error}"
    );
}

#[test]
fn query_cannot_write() {
    let project = database_with_one_table();
    let error = query_all(&project.database, "DROP TABLE s.t").unwrap_err();
    assert!(error.contains("read-only"), "{error}");
    let result = query_all(&project.database, "SELECT count(*) AS n FROM s.t").unwrap();
    assert_eq!(
        (result.columns, result.rows),
        (vec!["n".to_owned()], vec![vec![Cell::Int(2)]])
    );
}

#[test]
fn query_runs_exactly_one_statement_without_file_access() {
    let project = database_with_one_table();
    let database = &project.database;
    // The bindings would run every statement but the last one.
    let error = query_all(database, "SELECT 1; DROP TABLE s.t").unwrap_err();
    assert!(error.contains("2 statements"), "{error}");
    let error = query_all(database, "SELECT 1 /* ; */; SELECT 2").unwrap_err();
    assert!(error.contains("2 statements"), "{error}");
    let outside = project.dir.path().join("outside.csv");
    std::fs::write(&outside, "a\n1\n").unwrap();
    for sql in [
        format!("SELECT * FROM read_csv('{}')", outside.display()),
        format!("SELECT * FROM read_text('{}')", outside.display()),
        format!(
            "COPY (SELECT 1) TO '{}'",
            project.dir.path().join("x.csv").display()
        ),
        "SET enable_external_access = true".to_string(),
        "INSTALL httpfs".to_string(),
    ] {
        assert!(query_all(database, &sql).is_err(), "{sql} ran");
    }
    assert!(!project.dir.path().join("x.csv").exists());
    let result = query_all(database, "SELECT count(*) AS n FROM s.t").unwrap();
    assert_eq!(result.rows, vec![vec![Cell::Int(2)]]);
}

#[test]
fn printed_cells_match_duckdb_text() {
    let project = database_with_one_table();
    let database = &project.database;
    let expressions = [
        "DATE '1969-12-31'",
        "TIMESTAMP '2018-01-01 10:00:00.123456'",
        "TIMESTAMP_MS '2018-01-01 10:00:00.5'",
        "TIMESTAMP_S '1960-06-01 01:02:03'",
        "TIMESTAMP_NS '2018-01-01 10:00:00.000000001'",
        "TIME '23:59:59.999'",
        "1234567890.0123::DECIMAL(18,4)",
        "-0.5::DECIMAL(4,1)",
        "[1, NULL, 3]",
        "{'a': 1, 'b': 'x'}",
        "INTERVAL 14 MONTH + INTERVAL 2 DAY + INTERVAL 3 HOUR",
        "INTERVAL 0 DAY",
        "'infinity'::DATE",
        "'\\x00ab'::BLOB",
        "-170141183460469231731687303715884105727::HUGEINT",
    ];
    let ours: Vec<String> = expressions
        .iter()
        .map(|e| query_all(database, &format!("SELECT {e}")).unwrap().rows[0][0].to_string())
        .collect();
    let theirs: Vec<String> = expressions
        .iter()
        .map(|e| {
            query_all(database, &format!("SELECT ({e})::VARCHAR"))
                .unwrap()
                .rows[0][0]
                .to_string()
        })
        .collect();
    assert_eq!(ours, theirs);
}
