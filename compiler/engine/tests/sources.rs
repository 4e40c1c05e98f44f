//! Loading CSV and Parquet sources: declared types, byte order marks, and
//! errors that name the file and line.

mod common;

use common::{Project, column, outcome, result, status};
use mesh_diagnostics::{Code, TextRange};
use mesh_engine::{NodeKind, NodeStatus, SourceFormat};

#[test]
fn csv_with_bom_loads_with_declared_types() {
    let project = Project::with_database("target/mesh.duckdb");
    let content = "\u{feff}id,name,signup,balance\n1,Ann,2018-01-01,10.50\n2,\"Lee, Bo\",2018-02-03,\n3,Zoë,2018-03-04,-2.25\n";
    let source = project.csv(
        "customers",
        "raw_customers",
        content,
        vec![
            column("id", "INTEGER", true),
            column("name", "VARCHAR", true),
            column("signup", "DATE", false),
            column("balance", "DECIMAL(10,2)", false),
        ],
    );
    let results = project.run(vec![source], vec![]);

    let loaded = result(&results, "customers.raw_customers");
    assert_eq!(
        (loaded.kind, loaded.status, loaded.rows),
        (NodeKind::Source, NodeStatus::Success, Some(3))
    );
    assert!(results.success());
    assert_eq!(
        project.rows("SELECT id, name, signup, balance FROM customers.raw_customers ORDER BY id"),
        vec![
            vec!["1", "Ann", "2018-01-01", "10.50"],
            vec!["2", "Lee, Bo", "2018-02-03", "NULL"],
            vec!["3", "Zoë", "2018-03-04", "-2.25"],
        ]
    );
    assert_eq!(
        project.rows(
            "SELECT column_name, data_type, is_nullable FROM information_schema.columns \
             WHERE table_schema = 'customers' AND table_name = 'raw_customers' ORDER BY ordinal_position"
        ),
        vec![
            vec!["id", "INTEGER", "NO"],
            vec!["name", "VARCHAR", "NO"],
            vec!["signup", "DATE", "YES"],
            vec!["balance", "DECIMAL(10,2)", "YES"],
        ]
    );
}

#[test]
fn bom_without_header_is_not_part_of_the_first_value() {
    let project = Project::new();
    let mut source = project.csv(
        "s",
        "codes",
        "\u{feff}a,1\nb,2\n",
        vec![
            column("code", "VARCHAR", true),
            column("n", "INTEGER", true),
        ],
    );
    source.format = SourceFormat::Csv {
        delimiter: ',',
        header: false,
        quote: Some('"'),
    };
    let results = project.run(vec![source], vec![]);
    assert_eq!(
        outcome(&results, "s.codes"),
        (NodeStatus::Success, Some(2), None)
    );
    assert_eq!(
        project.rows("SELECT code, length(code), n FROM s.codes ORDER BY n"),
        vec![vec!["a", "1", "1"], vec!["b", "1", "2"]]
    );
}

#[test]
fn value_that_does_not_fit_its_type_names_file_and_line() {
    let project = Project::new();
    let source = project.csv(
        "orders",
        "raw_orders",
        "id,amount\n1,10\nabc,20\n3,30\n",
        vec![
            column("id", "INTEGER", true),
            column("amount", "INTEGER", false),
        ],
    );
    let results = project.run(vec![source], vec![]);

    let failed = result(&results, "orders.raw_orders");
    assert_eq!(failed.status, NodeStatus::Error);
    assert_eq!(
        failed.error.as_deref(),
        Some(
            "cannot load orders/data/raw_orders.csv: line 3: column \"id\": \"abc\" is not a valid INTEGER"
        )
    );
    let diagnostic = failed.diagnostic.as_ref().unwrap();
    assert_eq!(diagnostic.code, Code::SourceLoadFailed);
    assert_eq!(&*diagnostic.file, "orders/data/raw_orders.csv");
    // "id,amount\n" is 10 bytes and "1,10\n" 5: line 3 is bytes 15..21.
    assert_eq!(diagnostic.range, TextRange::new(15, 21));
    assert_eq!(diagnostic.help.as_deref(), Some("line 3 reads: abc,20"));
    assert!(!results.success());
}

#[test]
fn invalid_date_and_wrong_column_count_name_their_lines() {
    let project = Project::new();
    let dates = |table: &str, content: &str| {
        let columns = vec![column("id", "INTEGER", true), column("day", "DATE", false)];
        project.csv("s", table, content, columns)
    };
    let results = project.run(
        vec![
            dates("dates", "id,day\r\n1,2018-01-01\r\n2,\r\n3,2018-13-01\r\n"),
            dates("widths", "id,day\n1,2018-01-01\n2,2018-01-02,extra\n"),
        ],
        vec![],
    );
    assert_eq!(
        result(&results, "s.dates").error.as_deref(),
        Some(
            "cannot load s/data/dates.csv: line 4: column \"day\": \"2018-13-01\" is not a valid DATE"
        )
    );
    assert_eq!(
        result(&results, "s.widths").error.as_deref(),
        Some("cannot load s/data/widths.csv: line 3: expected 2 columns but found 3")
    );
}

#[test]
fn null_in_required_column_names_file_and_line() {
    let project = Project::new();
    // Line 4 is blank and skipped; the record on line 5 spans two lines.
    let content = "id,name\n1,Ann\n2,\"Bo\nB\"\n\n3,\n";
    let source = project.csv(
        "customers",
        "raw_customers",
        content,
        vec![
            column("id", "INTEGER", true),
            column("name", "VARCHAR", true),
        ],
    );
    let results = project.run(vec![source], vec![]);
    let failed = result(&results, "customers.raw_customers");
    assert_eq!(failed.status, NodeStatus::Error);
    assert_eq!(
        failed.error.as_deref(),
        Some(
            "cannot load customers/data/raw_customers.csv: line 6: column \"name\" is required but the value is empty"
        )
    );
    let diagnostic = failed.diagnostic.as_ref().unwrap();
    assert_eq!(diagnostic.code, Code::SourceLoadFailed);
    assert_eq!(diagnostic.range, TextRange::new(24, 26));
}

#[test]
fn missing_file_is_a_load_error() {
    let project = Project::new();
    let mut source = project.ids("gone", "id\n1\n");
    std::fs::remove_file(&source.file).unwrap();
    source.display_path = "s/data/gone.csv".to_owned();
    let results = project.run(vec![source], vec![]);
    let failed = result(&results, "s.gone");
    assert_eq!(
        failed.error.as_deref(),
        Some("cannot load s/data/gone.csv: file not found")
    );
    let diagnostic = failed.diagnostic.as_ref().unwrap();
    assert_eq!(
        (diagnostic.code, &*diagnostic.file),
        (Code::SourceLoadFailed, "s/data/gone.csv")
    );
}

#[test]
fn quotes_in_paths_and_names_and_unquoted_semicolon_files_load() {
    let project = Project::new();
    let mut source = project.csv(
        "it's",
        "the \"raw\" table",
        "id;no'te\n1;say \"hi\"\n2;it's\n",
        vec![
            column("id", "BIGINT", true),
            column("no'te", "VARCHAR", false),
        ],
    );
    source.format = SourceFormat::Csv {
        delimiter: ';',
        header: true,
        quote: None,
    };
    let results = project.run(vec![source], vec![]);
    assert_eq!(
        outcome(&results, "it's.the \"raw\" table"),
        (NodeStatus::Success, Some(2), None)
    );
    assert_eq!(
        project.rows("SELECT id, \"no'te\" FROM \"it's\".\"the \"\"raw\"\" table\" ORDER BY id"),
        vec![vec!["1", "say \"hi\""], vec!["2", "it's"]]
    );
}

#[test]
fn failed_reload_keeps_the_previous_table() {
    let project = Project::new();
    let results = project.run(vec![project.ids("numbers", "id\n1\n2\n")], vec![]);
    assert_eq!(
        outcome(&results, "s.numbers"),
        (NodeStatus::Success, Some(2), None)
    );

    let results = project.run(vec![project.ids("numbers", "id\n1\n2\nthree\n")], vec![]);
    assert_eq!(status(&results, "s.numbers"), NodeStatus::Error);
    assert_eq!(
        project.rows("SELECT sum(id) FROM s.numbers"),
        vec![vec!["3"]]
    );
    // No temporary table is left behind.
    assert_eq!(
        project.rows("SELECT table_name FROM information_schema.tables WHERE table_schema = 's'"),
        vec![vec!["numbers"]]
    );
}

#[test]
fn parquet_sources_load_by_column_name_and_locate_nulls() {
    let project = Project::new();
    let good = project.root().join("good.parquet");
    let bad = project.root().join("bad.parquet");
    let writer = duckdb::Connection::open_in_memory().unwrap();
    writer
        .execute_batch(&format!(
            "COPY (SELECT 'x' || i AS label, i::BIGINT AS id FROM range(1, 4) t(i)) TO '{}' (FORMAT parquet);
             COPY (SELECT * FROM (VALUES (1, 'a'), (2, NULL), (3, 'c')) t(id, label)) TO '{}' (FORMAT parquet);",
            good.display(),
            bad.display()
        ))
        .unwrap();
    let parquet = |table: &str, file: &std::path::Path| mesh_engine::SourceLoad {
        id: format!("s.{table}"),
        schema: "s".to_owned(),
        table: table.to_owned(),
        file: file.to_path_buf(),
        display_path: format!("s/data/{table}.parquet"),
        format: SourceFormat::Parquet,
        columns: vec![
            column("id", "INTEGER", true),
            column("label", "VARCHAR", true),
        ],
        root: None,
    };
    let results = project.run(vec![parquet("good", &good), parquet("bad", &bad)], vec![]);
    assert_eq!(
        outcome(&results, "s.good"),
        (NodeStatus::Success, Some(3), None)
    );
    assert_eq!(
        project.rows("SELECT id, label, typeof(id) FROM s.good ORDER BY id"),
        vec![
            vec!["1", "x1", "INTEGER"],
            vec!["2", "x2", "INTEGER"],
            vec!["3", "x3", "INTEGER"]
        ]
    );
    assert_eq!(
        result(&results, "s.bad").error.as_deref(),
        Some("cannot load s/data/bad.parquet: row 2: column \"label\" is required but NULL")
    );
}
