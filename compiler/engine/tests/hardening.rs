//! What a run refuses or guarantees on hostile or unlucky input: CSV headers
//! matched by name, reserved temporary names, views validated before the
//! swap, no file access for models, literal source paths, files outside the
//! workspace, a database path that is not a database, leftovers of a killed
//! run and a cancelled run.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::{Project, column, model, outcome, result, run_quietly};
use mesh_diagnostics::Code;
use mesh_engine::{Cancel, Materialization::Table, Materialization::View, NodeStatus, RunEvent};

fn people(project: &Project, content: &str) -> mesh_engine::SourceLoad {
    project.csv(
        "s",
        "people",
        content,
        vec![
            column("id", "INTEGER", true),
            column("name", "VARCHAR", true),
            column("age", "INTEGER", false),
        ],
    )
}

/// Names of the objects in the database that contain `__meshc`.
fn temporaries(project: &Project) -> Vec<Vec<String>> {
    project.rows(
        "SELECT table_schema || '.' || table_name FROM information_schema.tables \
         WHERE table_name ILIKE '%\\_\\_meshc%' ESCAPE '\\' ORDER BY 1",
    )
}

#[test]
fn csv_columns_are_matched_by_header_name() {
    let project = Project::new();
    // The header lists the declared columns in another order (and case).
    let source = people(&project, "AGE,name,id\n30,Ann,1\n,Bo,2\n");
    let results = project.run(vec![source], vec![]);
    assert_eq!(
        outcome(&results, "s.people"),
        (NodeStatus::Success, Some(2), None)
    );
    assert_eq!(
        project.rows("SELECT id, name, age FROM s.people ORDER BY id"),
        vec![vec!["1", "Ann", "30"], vec!["2", "Bo", "NULL"]]
    );
}

#[test]
fn a_header_that_does_not_list_the_declared_columns_is_refused() {
    let project = Project::new();
    let good = people(&project, "id,name,age\n1,Ann,30\n");
    assert!(project.run(vec![good], vec![]).success());

    let bad = people(&project, "id,full_name,age,id\n1,Ann,30,1\n");
    let results = project.run(vec![bad], vec![]);
    let failed = result(&results, "s.people");
    assert_eq!(failed.status, NodeStatus::Error);
    let diagnostic = failed.diagnostic.as_ref().unwrap();
    assert_eq!(diagnostic.code, Code::SourceColumnsMismatch);
    assert_eq!(&*diagnostic.file, "s/data/people.csv");
    // Line 1: the whole header.
    assert_eq!(
        (diagnostic.range.start, diagnostic.range.end),
        (0, "id,full_name,age,id".len() as u32)
    );
    assert_eq!(
        diagnostic.message,
        "cannot load s/data/people.csv: line 1 (the header) has no column \"name\" and undeclared or repeated column \"full_name\", \"id\""
    );
    assert!(
        diagnostic
            .help
            .as_deref()
            .unwrap()
            .contains("declares the columns id, name, age"),
        "{:?}",
        diagnostic.help
    );
    // The previous table is kept.
    assert_eq!(
        project.rows("SELECT id, name, age FROM s.people"),
        vec![vec!["1", "Ann", "30"]]
    );
}

#[test]
fn a_node_with_a_reserved_name_is_refused_and_cannot_overwrite_a_temporary() {
    let project = Project::new();
    let source = project.ids("raw", "id\n1\n2\n");
    let models = vec![
        model("s", "m", Table, "SELECT id FROM s.raw", &["s.raw"]),
        // What `m` would have been built under before the swap.
        model("s", "m__meshc_new", Table, "SELECT 42 AS id", &[]),
        model("s", "Other__MESHC_x", View, "SELECT 1 AS id", &[]),
    ];
    let results = project.run(vec![source], models);
    assert_eq!(
        outcome(&results, "s.m"),
        (NodeStatus::Success, Some(2), None)
    );
    for id in ["s.m__meshc_new", "s.Other__MESHC_x"] {
        let refused = result(&results, id);
        assert_eq!(refused.status, NodeStatus::Error, "{id}");
        let diagnostic = refused.diagnostic.as_ref().unwrap();
        assert_eq!(diagnostic.code, Code::ModelFailed);
        assert!(
            diagnostic.message.contains("is reserved"),
            "{}",
            diagnostic.message
        );
    }
    assert_eq!(
        project.rows("SELECT id FROM s.m ORDER BY id"),
        vec![vec!["1"], vec!["2"]]
    );
    assert!(temporaries(&project).is_empty());
}

#[test]
fn temporaries_left_by_a_killed_run_are_dropped_by_the_next_run() {
    let project = Project::new();
    let source = project.ids("raw", "id\n1\n");
    assert!(project.run(vec![source.clone()], vec![]).success());
    // What a run killed between creating and swapping leaves behind.
    let conn = duckdb::Connection::open(&project.database).unwrap();
    conn.execute_batch(
        "CREATE TABLE s.raw__meshc_new AS SELECT 99 AS id; \
         CREATE VIEW s.gone__meshc_new AS SELECT 1 AS x",
    )
    .unwrap();
    drop(conn);
    assert_eq!(temporaries(&project).len(), 2);

    // A run that does not even touch `gone` cleans up.
    let results = project.run(vec![source], vec![]);
    assert!(results.success());
    assert!(temporaries(&project).is_empty());
    assert_eq!(project.rows("SELECT id FROM s.raw"), vec![vec!["1"]]);
}

#[test]
fn a_view_that_fails_when_read_does_not_replace_the_working_one() {
    let project = Project::new();
    let source = people(&project, "id,name,age\n1,Ann,30\n");
    let stg = |sql: &str| model("s", "stg", View, sql, &["s.people"]);
    let consumer = model(
        "s",
        "summary",
        Table,
        "SELECT count(*) AS n FROM s.stg",
        &["s.stg"],
    );
    let first = project.run(
        vec![source.clone()],
        vec![stg("SELECT id, name FROM s.people"), consumer.clone()],
    );
    assert!(first.success());

    // Binds, but fails on read: a constant cast (which `LIMIT 0` does not
    // evaluate) and a cast of the data.
    for broken in [
        "SELECT id, CAST('x' AS INTEGER) AS name FROM s.people",
        "SELECT id, CAST(name AS INTEGER) AS name FROM s.people",
    ] {
        let results = project.run(vec![source.clone()], vec![stg(broken), consumer.clone()]);
        let failed = result(&results, "s.stg");
        assert_eq!(failed.status, NodeStatus::Error, "{broken}");
        let diagnostic = failed.diagnostic.as_ref().unwrap();
        assert_eq!(diagnostic.code, Code::ModelFailed);
        assert!(
            diagnostic.message.contains("Conversion Error"),
            "{}",
            diagnostic.message
        );
        assert_eq!(status_of(&results, "s.summary"), NodeStatus::Skipped);
        // The previous definition still answers.
        assert_eq!(
            project.rows("SELECT id, name FROM s.stg"),
            vec![vec!["1", "Ann"]]
        );
        assert!(temporaries(&project).is_empty());
    }
}

fn status_of(results: &mesh_engine::RunResults, id: &str) -> NodeStatus {
    result(results, id).status
}

#[test]
fn models_cannot_read_files_once_sources_are_loaded() {
    let project = Project::new();
    let source = people(&project, "id,name,age\n1,Ann,30\n");
    let file = source.file.display().to_string().replace('\'', "''");
    let models = vec![
        // Sema refuses table functions; the engine must not rely on it.
        model(
            "s",
            "reads_file",
            Table,
            &format!("SELECT * FROM read_csv('{file}')"),
            &[],
        ),
        model(
            "s",
            "attaches",
            View,
            &format!("SELECT * FROM read_text('{file}')"),
            &[],
        ),
        model("s", "fine", Table, "SELECT id FROM s.people", &["s.people"]),
    ];
    let results = project.run(vec![source], models);
    assert_eq!(status_of(&results, "s.people"), NodeStatus::Success);
    assert_eq!(status_of(&results, "s.fine"), NodeStatus::Success);
    for id in ["s.reads_file", "s.attaches"] {
        let failed = result(&results, id);
        assert_eq!(failed.status, NodeStatus::Error, "{id}");
        let error = failed.error.as_deref().unwrap();
        assert!(
            error.contains("file system operations are disabled by configuration"),
            "{error}"
        );
    }
}

#[test]
fn glob_characters_in_a_source_path_are_literal() {
    let project = Project::new();
    let dir = project.root().join("s/data");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a1.csv"), "id\n1\n").unwrap();
    std::fs::write(dir.join("a[1].csv"), "id\n2\n").unwrap();
    let mut literal = project.ids("literal", "id\n0\n");
    literal.file = dir.join("a[1].csv");
    // A glob names no file: it is not expanded to a1.csv and a[1].csv.
    let mut glob = project.ids("glob", "id\n0\n");
    glob.file = dir.join("a*.csv");
    glob.display_path = "s/data/a*.csv".to_owned();
    let results = project.run(vec![literal, glob], vec![]);
    assert_eq!(
        outcome(&results, "s.literal"),
        (NodeStatus::Success, Some(1), None)
    );
    assert_eq!(project.rows("SELECT id FROM s.literal"), vec![vec!["2"]]);
    assert_eq!(
        outcome(&results, "s.glob"),
        (
            NodeStatus::Error,
            None,
            Some("cannot load s/data/a*.csv: file not found")
        )
    );
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_out_of_the_workspace_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.csv");
    std::fs::write(&secret, "id\n7\n").unwrap();
    let project = Project::new();
    let mut source = project.ids("raw", "id\n1\n");
    std::fs::remove_file(&source.file).unwrap();
    std::os::unix::fs::symlink(&secret, &source.file).unwrap();
    let results = project.run(vec![source.clone()], vec![]);
    let failed = result(&results, "s.raw");
    assert_eq!(failed.status, NodeStatus::Error);
    let diagnostic = failed.diagnostic.as_ref().unwrap();
    assert_eq!(diagnostic.code, Code::SourceOutsideWorkspace);
    assert!(
        diagnostic.message.contains("outside the workspace"),
        "{}",
        diagnostic.message
    );
    // Declared external, the same file loads.
    source.root = None;
    let results = project.run(vec![source], vec![]);
    assert_eq!(
        outcome(&results, "s.raw"),
        (NodeStatus::Success, Some(1), None)
    );
}

#[test]
fn a_database_path_that_is_not_a_database_is_refused_untouched() {
    let project = Project::with_database("data.csv");
    let content = "id,name\n1,x\n";
    std::fs::write(&project.database, content).unwrap();
    let source = project.ids("raw", "id\n1\n");
    let results = project.run(vec![source], vec![]);
    let error = results.database_error.as_ref().expect("refused");
    assert_eq!(error.code, Code::NotADatabase);
    assert!(
        error
            .message
            .ends_with("data.csv is not a DuckDB database; meshc does not touch it"),
        "{}",
        error.message
    );
    assert_eq!(status_of(&results, "s.raw"), NodeStatus::Skipped);
    assert_eq!(std::fs::read_to_string(&project.database).unwrap(), content);
    let mut wal = project.database.clone().into_os_string();
    wal.push(".wal");
    assert!(!std::path::Path::new(&wal).exists());
}

#[test]
fn a_cancelled_run_drops_its_temporaries_and_keeps_previous_data() {
    let project = Project::new();
    let source = project.ids("raw", "id\n1\n");
    let slow = |sql: &str| model("s", "slow", Table, sql, &["s.raw"]);
    let after = model("s", "after", Table, "SELECT * FROM s.slow", &["s.slow"]);
    assert!(
        project
            .run(
                vec![source.clone()],
                vec![slow("SELECT id FROM s.raw"), after.clone()]
            )
            .success()
    );

    // Minutes of work, cancelled once it has started.
    let heavy = "SELECT count(*)::INTEGER AS id FROM s.raw, range(100000000000) t(i)";
    let plan = project.plan(vec![source], vec![slow(heavy), after]);
    let cancel = Cancel::default();
    let started = AtomicBool::new(false);
    let clock = Instant::now();
    let results = std::thread::scope(|scope| {
        scope.spawn(|| {
            while !started.load(Ordering::SeqCst) && clock.elapsed() < Duration::from_secs(30) {
                std::thread::sleep(Duration::from_millis(10));
            }
            std::thread::sleep(Duration::from_millis(200));
            cancel.cancel();
        });
        mesh_engine::run_cancellable(
            &plan,
            &|event: &RunEvent| {
                if matches!(event, RunEvent::Started { id: "s.slow", .. }) {
                    started.store(true, Ordering::SeqCst);
                }
            },
            &cancel,
        )
    });
    assert!(
        clock.elapsed() < Duration::from_secs(20),
        "{:?}",
        clock.elapsed()
    );
    let stopped = result(&results, "s.slow");
    assert_eq!(stopped.status, NodeStatus::Error);
    let code = stopped.diagnostic.as_ref().unwrap().code;
    assert_eq!(code, Code::RunInterrupted, "{:?}", stopped.error);
    assert_eq!(status_of(&results, "s.after"), NodeStatus::Skipped);
    assert!(temporaries(&project).is_empty());
    assert_eq!(project.rows("SELECT id FROM s.slow"), vec![vec!["1"]]);
    assert_eq!(project.rows("SELECT id FROM s.after"), vec![vec!["1"]]);
    // The next run works as usual.
    let plan = project.plan(plan.sources.clone(), vec![]);
    assert!(run_quietly(&plan).success());
}
