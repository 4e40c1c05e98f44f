//! meshc, the command line: argument parsing, command dispatch, rendering.
//!
//! Each command lives in its own module; all of them load the workspace into
//! one [`mesh_analysis::AnalysisHost`] through [`session::Session`].

mod build;
mod cache;
mod check;
mod gates;
mod lsp;
mod mesh;
mod query;
pub mod render;
mod report;
mod runlock;
mod runstate;
mod scaffold;
mod session;
mod watch;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use report::ReportFormat;
pub use session::Session;

/// meshc compiles a data mesh of plain-SQL models and ODCS contracts, checks
/// every column across domain boundaries, and runs it on DuckDB.
#[derive(Parser, Debug)]
#[command(name = "meshc", version, about, long_about = None, after_help = "\
Typical session:
  meshc init shop && cd shop          create a workspace
  meshc new domain orders             add a domain
  meshc new product order_summary --domain orders
  meshc check                         type-check models and contracts
  meshc run                           build everything on embedded DuckDB
  meshc query \"select * from orders.order_summary\"

Exit codes: 0 success, 1 errors in the mesh or a failed run, 2 usage or I/O failure, 130/143 a run stopped by SIGINT/SIGTERM.")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub global: GlobalArgs,
}

impl Cli {
    /// Whether the command runs until stopped (it then returns memory it no
    /// longer needs to the system).
    pub fn is_long_lived(&self) -> bool {
        matches!(self.command, Command::Watch(_) | Command::Lsp)
    }
}

/// Options every command accepts.
#[derive(Args, Debug, Clone)]
pub struct GlobalArgs {
    /// Workspace directory (default: the nearest directory upwards holding mesh.yaml).
    #[arg(long, short = 'w', global = true, env = "MESHC_WORKSPACE")]
    pub workspace: Option<PathBuf>,
    /// Print only errors and results, no progress.
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
    /// When to use colors.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    /// The registry of published contracts: a directory or postgres://user@host:port/db
    /// (default: `registry:` in mesh.yaml, else registry/ in the workspace).
    #[arg(long, global = true, env = "MESHC_REGISTRY")]
    pub registry: Option<String>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Output format of diagnostics.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DiagnosticFormat {
    #[default]
    Human,
    Json,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Type-check every model and contract (no database needed).
    ///
    /// With PATHS (files or directories, as a pre-commit hook passes them),
    /// checks each workspace that holds one of them (the nearest mesh.yaml
    /// upwards) and reports all of its diagnostics, also in files not given:
    /// a contract edit breaks consumers elsewhere. Paths in no workspace are
    /// ignored; when none is in a workspace, nothing is loaded and the exit
    /// code is 0.
    ///
    /// Exit code 0 when clean (warnings allowed), 1 when there are errors,
    /// 2 when the workspace cannot be read.
    #[command(after_help = "\
Examples:
  meshc check --format short orders/contracts/fct_orders.yaml   # a hook: the workspaces of the staged files
  meshc check --format sarif > meshc.sarif                       # CI: upload for code scanning
  meshc check --format github                                    # CI: annotate the pull request
  meshc check --no-cache                                         # ignore target/cache/check.bin and do not write it

A check leaves its results in target/cache/check.bin of each workspace: the
next check with no change answers from it, and after an edit only what the
edit can affect is checked again (docs/cache.md).")]
    Check {
        /// Files or directories whose workspaces to check (default: the workspace of --workspace or the current directory).
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
        format: ReportFormat,
        /// Check from scratch: neither read nor write target/cache/check.bin.
        #[arg(long)]
        no_cache: bool,
    },
    /// Check, then write each model's SQL and a JSON manifest of the DAG under target/.
    Build(BuildArgs),
    /// Print the SQL of one model for a target.
    Compile {
        /// The model: NAME or DOMAIN.NAME.
        model: String,
        #[arg(long, value_enum, default_value_t = TargetArg::Duckdb)]
        target: TargetArg,
    },
    /// Build and execute the mesh on the target (embedded DuckDB by default).
    ///
    /// Sources are loaded from their files, models run in dependency order
    /// (independent ones in parallel), each table is swapped in only when it
    /// succeeded. Results go to target/run_results.json.
    Run(RunArgs),
    /// Run the quality rules of the selected published products against the
    /// database of the last run (read-only) and print their values.
    ///
    /// Exit code 1 when an error-level rule fails.
    Test(TestArgs),
    /// Run a read-only SQL query against the database of the last run (like `dbt show`).
    ///
    /// The query is one SELECT in DuckDB's SQL, read by DuckDB as written
    /// (meshc parses it to refuse anything but one query): it names the
    /// built objects as `domain.model` and has DuckDB's semantics, which
    /// differ from mesh SQL in places (`7 / 2` is 3.5 here, 3 in a model;
    /// write `7 // 2`). To get a model's meaning, make it a model.
    Query {
        /// The SQL, e.g. "select * from insights.dim_customers limit 5".
        sql: String,
        #[arg(long, value_enum, default_value_t = QueryFormat::Table)]
        format: QueryFormat,
        /// Print at most N rows (default: 1000 for the table format, all for
        /// CSV and JSON; 0 = all). Rows are streamed, never all held in memory
        /// except for the table.
        #[arg(long, value_name = "N")]
        limit: Option<u64>,
    },
    /// Serve the language server protocol on stdin/stdout (for editors).
    ///
    /// Live diagnostics of models, contracts and configuration as you type,
    /// across domains; hover and go to definition of `domain.product` and
    /// model names. The VS Code extension starts it; any LSP client can.
    Lsp,
    /// Check on every change of the workspace's files; with --run, also
    /// rebuild on DuckDB what the change made stale.
    ///
    /// Keeps the analysis warm and, after each change (an editor's save, a
    /// new or deleted file, a `git checkout`), prints only the new and the
    /// fixed diagnostics and how long the recheck took. With --run, the
    /// models whose SQL or inputs changed are rebuilt with everything
    /// downstream of them, and nothing else (content hashes in
    /// target/run_state.json, shared with `meshc run`); a failing model keeps
    /// its previous data. Ctrl-C stops it.
    Watch(WatchArgs),
    /// Create a new workspace: mesh.yaml and a README.
    Init {
        /// Directory to create (default: the current directory).
        path: Option<PathBuf>,
        /// Workspace name (default: the directory name).
        #[arg(long)]
        name: Option<String>,
    },
    /// Create a domain or a data product from a commented blueprint.
    #[command(subcommand)]
    New(NewCommand),
    /// Write mesh.lock: the version and content hash of every product the
    /// workspace's domains read from other domains.
    ///
    /// Products of domains outside the workspace are resolved from the
    /// registry (a locked version is kept while it satisfies the requirements
    /// in domain.yaml). `meshc check` fails while mesh.lock is missing or
    /// stale. The registry also learns who consumes what (for `meshc diff`).
    Lock {
        /// Only verify that mesh.lock is up to date (for CI); never write it.
        #[arg(long)]
        locked: bool,
    },
    /// Move registry products to the newest versions domain.yaml allows,
    /// rewrite mesh.lock and show what the new versions break.
    Update {
        /// Only these domains (default: every domain outside the workspace).
        domains: Vec<String>,
    },
    /// Compare each contract with its last published version: every change
    /// classified breaking / compatible / docs, with the consumers each
    /// breaking change breaks (file and line, here and in other workspaces).
    ///
    /// Exit code 1 when a contract's version is not a large enough step
    /// (breaking changes need a new major version).
    ///
    /// With PATHS, compares the contracts of each workspace that holds one of
    /// them, like `meshc check PATHS`. `--format` other than human prints
    /// each refused version step as a diagnostic (MESH1010) naming the
    /// consumers it breaks.
    Diff {
        /// `registry` (default) or a git revision (`git:main`, `HEAD~1`).
        #[arg(long, default_value = "registry")]
        against: String,
        /// Files or directories whose workspaces to compare (default: the workspace of --workspace or the current directory).
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
        format: ReportFormat,
        /// Also fail when mesh.lock is missing or stale (MESH2014/2015), like `meshc lock --locked`.
        #[arg(long)]
        locked: bool,
    },
    /// Publish contracts to the registry. Refused: a breaking change without a
    /// major version bump, a compatible change without a minor bump, a
    /// published version with other content.
    Publish {
        /// Only these products (DOMAIN.PRODUCT) or domains.
        products: Vec<String>,
        /// Say what would be published, publish nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// List and search the registry's products: owner, version, quality
    /// status of the last run, consumers.
    Products {
        /// Words to look for in names, owners and descriptions.
        search: Option<String>,
        /// Only products of this domain.
        #[arg(long, short = 'd')]
        domain: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum NewCommand {
    /// A domain: <name>/domain.yaml, sources.yaml, models/ and contracts/, listed in mesh.yaml.
    Domain { name: String },
    /// A data product: a model and its ODCS contract in a domain.
    Product {
        name: String,
        /// The domain that owns it.
        #[arg(long, short = 'd')]
        domain: String,
    },
}

#[derive(Args, Debug, Clone)]
pub struct BuildArgs {
    #[arg(long, value_enum, default_value_t = TargetArg::Duckdb)]
    pub target: TargetArg,
    /// Select models: MODEL, DOMAIN.MODEL, MODEL+ (and downstream), +MODEL (and upstream), domain:NAME. Repeatable.
    #[arg(long, short = 's', num_args = 1..)]
    pub select: Vec<String>,
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Human)]
    pub format: DiagnosticFormat,
}

#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    #[command(flatten)]
    pub build: BuildArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
    /// With --target trino: the coordinator to run on, e.g. http://127.0.0.1:8080
    /// (default: targets.trino.url of mesh.yaml).
    #[arg(long, value_name = "URL")]
    pub trino_url: Option<String>,
}

/// How models are executed (`meshc run` and `meshc watch --run`).
#[derive(Args, Debug, Clone, Default)]
pub struct EngineArgs {
    /// Models built at the same time (default: number of CPUs).
    #[arg(long)]
    pub threads: Option<usize>,
    /// DuckDB database file (default: targets.duckdb.path of mesh.yaml, else target/<workspace>.duckdb).
    #[arg(long)]
    pub database: Option<PathBuf>,
    /// Swap in products whose error-level quality rules fail (still reported
    /// INVALID) and build their consumers.
    #[arg(long)]
    pub allow_invalid: bool,
    /// Rebuild incremental models from all their rows instead of merging the
    /// new ones into the existing table (needed after a model's columns change).
    #[arg(long)]
    pub full_refresh: bool,
}

#[derive(Args, Debug, Clone)]
pub struct WatchArgs {
    /// Also rebuild on DuckDB the models whose SQL or inputs changed, and everything downstream.
    #[arg(long)]
    pub run: bool,
    /// With --run: only these models, as `meshc run --select`.
    #[arg(long, short = 's', num_args = 1..)]
    pub select: Vec<String>,
    #[command(flatten)]
    pub engine: EngineArgs,
    /// Milliseconds without file events before a burst of them is handled.
    #[arg(long, value_name = "MS", default_value_t = 50)]
    pub debounce: u64,
}

#[derive(Args, Debug, Clone)]
pub struct TestArgs {
    /// Select products like `meshc run --select` (default: every published product).
    #[arg(long, short = 's', num_args = 1..)]
    pub select: Vec<String>,
    /// Print the failing rows of failed rules (not NULL, unique, accepted values, relationships, record loss).
    #[arg(long)]
    pub show_failures: bool,
    /// DuckDB database file (default: the one `meshc run` writes).
    #[arg(long)]
    pub database: Option<PathBuf>,
}

/// Where the SQL goes. `meshc run` executes on DuckDB; `meshc build` writes
/// SQL for any target (for Trino a run.sql for the Trino CLI, for Teradata
/// a BTEQ script).
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetArg {
    /// Embedded DuckDB (the default).
    Duckdb,
    /// Trino: `catalog.<domain>.<model>` (targets.trino in mesh.yaml).
    Trino,
    /// Teradata: a database per domain, BTEQ scripts.
    Teradata,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryFormat {
    Table,
    Csv,
    Json,
}

/// Exit code of a finished command.
pub(crate) enum Outcome {
    Success,
    Failure,
    Usage,
    /// Stopped by this signal: exit code 128 + the signal number.
    Signal(i32),
}

/// Runs the CLI; returns the process exit code.
pub fn main_with_args(cli: Cli) -> ExitCode {
    let outcome = match &cli.command {
        Command::Check {
            paths,
            format,
            no_cache,
        } => check::run(&cli.global, paths, *format, !*no_cache),
        Command::Build(args) => build::build(&cli.global, args),
        Command::Compile { model, target } => build::compile(&cli.global, model, *target),
        Command::Run(args) => build::run(&cli.global, args),
        Command::Test(args) => gates::test(&cli.global, args),
        Command::Lsp => lsp::serve(),
        Command::Watch(args) => watch::run(&cli.global, args),
        Command::Query { sql, format, limit } => query::run(&cli.global, sql, *format, *limit),
        Command::Init { path, name } => scaffold::init(path.as_deref(), name.as_deref()),
        Command::New(NewCommand::Domain { name }) => scaffold::new_domain(&cli.global, name),
        Command::New(NewCommand::Product { name, domain }) => {
            scaffold::new_product(&cli.global, name, domain)
        }
        Command::Lock { locked } => mesh::lock(&cli.global, *locked, None),
        Command::Update { domains } => mesh::lock(&cli.global, false, Some(domains)),
        Command::Diff {
            against,
            paths,
            format,
            locked,
        } => mesh::diff(&cli.global, against, paths, *format, *locked),
        Command::Publish { products, dry_run } => mesh::publish(&cli.global, products, *dry_run),
        Command::Products { search, domain } => {
            mesh::products(&cli.global, domain.as_deref(), search.as_deref())
        }
    };
    match outcome {
        Outcome::Success => ExitCode::SUCCESS,
        Outcome::Failure => ExitCode::from(1),
        Outcome::Usage => ExitCode::from(2),
        Outcome::Signal(signal) => ExitCode::from(u8::try_from(128 + signal).unwrap_or(1)),
    }
}
