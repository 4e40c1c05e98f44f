//! The table of every diagnostic code. A code is never reused or renumbered;
//! `docs/diagnostics.md` is generated from this table (see the `docs` test in
//! the CLI crate, which fails when the page is stale).

/// How bad a diagnostic is. Errors fail `meshc check` (exit code 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// The published `docs/diagnostics.md`: the base of every code's
/// documentation link (SARIF `helpUri`, the language server's
/// `codeDescription`).
pub const DIAGNOSTICS_DOCS_URL: &str =
    "https://github.com/meshc/meshc/blob/main/docs/diagnostics.md";

macro_rules! codes {
    ($( $variant:ident = $code:literal, $name:literal, $severity:ident, $doc:literal; )*) => {
        /// A stable diagnostic code: `MESH0xxx` syntax and loading, `1xxx` contracts,
        /// `2xxx` name resolution, `3xxx` types, `4xxx` dialects, `5xxx` runs.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $( #[doc = $doc] $variant, )*
        }

        impl Code {
            /// Every code, in table order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable code, e.g. `MESH2001`.
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $code, )* }
            }

            /// The stable kebab-case name, e.g. `unknown-relation`.
            pub fn name(self) -> &'static str {
                match self { $( Code::$variant => $name, )* }
            }

            pub fn default_severity(self) -> Severity {
                match self { $( Code::$variant => Severity::$severity, )* }
            }

            /// One paragraph of documentation: what triggers it and how to fix it.
            pub fn doc(self) -> &'static str {
                match self { $( Code::$variant => $doc, )* }
            }

            /// Where this code is documented: its anchor in `docs/diagnostics.md`
            /// (the page is generated from this table, one `## MESHxxxx` heading per code).
            pub fn docs_url(self) -> String {
                format!("{DIAGNOSTICS_DOCS_URL}#{}", self.as_str().to_ascii_lowercase())
            }
        }
    };
}

codes! {
    Io = "MESH0001", "io-error", Error,
        "A file or directory of the workspace could not be read (missing, permission denied, not a file). Check the path and its permissions.";
    InvalidUtf8 = "MESH0002", "invalid-utf8", Error,
        "A model, contract or configuration file is not UTF-8 text (binary content, another encoding). Save the file as UTF-8.";
    SqlSyntax = "MESH0101", "sql-syntax", Error,
        "The model's SQL does not parse. The message gives the token where parsing stopped.";
    NotAQuery = "MESH0102", "not-a-query", Error,
        "A model file must hold exactly one query (`SELECT …` or `WITH … SELECT …`). DDL, DML and several statements are refused: meshc writes the DDL itself from the model's materialization.";
    EmptyModel = "MESH0103", "empty-model", Error,
        "A model file holds no statement. Write one `SELECT` or delete the file.";
    SqlNestingLimit = "MESH0104", "sql-nesting-limit", Error,
        "Parentheses, subqueries or function calls nest deeper than the parser allows (250 levels, see docs/sql.md). The span points at the first parenthesis of the deepest nesting. Move inner subqueries into CTEs.";
    SqlTooDeep = "MESH0105", "sql-too-deep", Error,
        "The model's syntax tree nests deeper than 1,000 levels (see docs/sql.md): usually a chain of over 1,000 operators (`a OR b OR …`, `x || y || …`) or `UNION ALL` branches. Write long lists of alternatives as `IN (…)`; split long chains into CTEs.";
    QueryTooLarge = "MESH0106", "query-too-large", Error,
        "A model file (or a rule's query) is larger than 4 MiB (see docs/sql.md); it is not parsed. Real models are far smaller: move long value lists into a source (a CSV) and join it, or split the model.";
    YamlSyntax = "MESH0201", "yaml-syntax", Error,
        "A YAML file does not parse (indentation, an unclosed quote, a tab). The span points at the place the parser gave up.";
    InvalidConfig = "MESH0202", "invalid-config", Error,
        "A YAML file parses but does not have the shape meshc expects: a missing or unknown key, or a value of the wrong kind. See docs/workspace-format.md.";
    MissingMeshYaml = "MESH0203", "missing-mesh-yaml", Error,
        "The workspace has no `mesh.yaml` at its root. Run `meshc init` or pass the workspace directory with `--workspace`.";
    MissingDomain = "MESH0204", "missing-domain", Error,
        "`mesh.yaml` lists a domain whose directory has no `domain.yaml`. Create it with `meshc new domain NAME` or remove the entry.";
    DomainNameMismatch = "MESH0205", "domain-name-mismatch", Error,
        "The `name` in `domain.yaml` differs from its directory name. The directory name is the domain name used in SQL (`domain.product`); make both the same.";
    UnknownType = "MESH0206", "unknown-type", Error,
        "A declared column type is not a mesh SQL type. Use BOOLEAN, SMALLINT, INTEGER, BIGINT, DECIMAL(p,s), REAL, DOUBLE, VARCHAR, DATE, TIME, TIMESTAMP or INTERVAL.";
    InvalidVersion = "MESH0207", "invalid-version", Error,
        "A version or version requirement is not valid semver (`1.2.0`, `^1.2`).";
    StrayFile = "MESH0208", "stray-file", Warning,
        "A file sits where meshc does not look for anything (for example a `.sql` file outside `models/`, or a directory not listed in `mesh.yaml`). It is ignored.";
    SourceOutsideWorkspace = "MESH0220", "source-outside-workspace", Error,
        "A source's `path` leads outside the workspace (an absolute path, `..` past the workspace root, or a symbolic link to a file elsewhere). meshc reads only files of the workspace unless the source says `external: true` in sources.yaml; move the file into the domain or add `external: true` to that source.";
    YamlTooDeep = "MESH0209", "yaml-too-deep", Error,
        "A YAML file nests mappings or sequences deeper than 64 levels (see docs/workspace-format.md); no meshc file needs more than a few. The span points at where the limit was passed.";
    ContractMissingColumn = "MESH1001", "contract-missing-column", Error,
        "A published model does not output a column its contract promises. Add the column to the model or remove it from the contract (a breaking change for consumers).";
    ContractExtraColumn = "MESH1002", "contract-extra-column", Error,
        "A published model outputs a column its contract does not declare. Declare it in the contract or drop it from the model's SELECT list.";
    ContractTypeMismatch = "MESH1003", "contract-type-mismatch", Error,
        "A published model's column has another type than its contract declares. CAST it in the model or correct the contract.";
    ContractNullable = "MESH1004", "contract-nullable", Error,
        "A contract column is `required: true` but the model's column may be NULL (it comes from a nullable column, the outer side of a join, or an aggregate over no rows). Filter or COALESCE it, or make the column optional in the contract.";
    ContractWithoutModel = "MESH1005", "contract-without-model", Error,
        "A contract publishes a product that no model of the domain produces. The contract file stem must be the name of a model in `models/`.";
    ContractDuplicateColumn = "MESH1006", "contract-duplicate-column", Error,
        "A contract declares the same column twice.";
    ContractSchemaName = "MESH1007", "contract-schema-name", Error,
        "A contract must describe exactly one schema object whose `name` is the product (the file stem).";
    InvalidQualityRule = "MESH1008", "invalid-quality-rule", Error,
        "A contract's quality rule, relationship or freshness SLA cannot be run as written (no operator, a missing column or argument, an unknown metric). See docs/contracts-odcs.md for the forms meshc runs.";
    ContractIdentity = "MESH1009", "contract-identity", Error,
        "A contract's `domain` or `dataProduct` names another domain or product than its file (`<domain>/contracts/<product>.yaml`).";
    VersionStep = "MESH1010", "contract-version-step", Error,
        "`meshc diff` found a contract whose version is not a large enough step from its base (the last published version, or the contract at a git revision): a breaking change (a column removed, renamed, retyped or made nullable, access narrowed, the SLA loosened) needs a new major version, a compatible change a new minor version, any other change a new patch version; a published version never changes. The message names the consumers each breaking change breaks. Bump `version` in the contract (and tell the consumers), or undo the change.";
    UnknownRelation = "MESH2001", "unknown-relation", Error,
        "A FROM or JOIN names nothing known: no CTE, model or source of this domain, and no `domain.product`. Check the spelling; the help suggests the closest name.";
    UndeclaredDependency = "MESH2002", "undeclared-dependency", Error,
        "A model reads `domain.product` but its domain does not declare a dependency on that domain. Add it under `dependencies:` in `domain.yaml`.";
    PrivateModel = "MESH2003", "private-model", Error,
        "A model reads a model of another domain that has no contract. Only published products (models with a contract) can be read across domains; ask the owning domain to publish it.";
    UnknownDomain = "MESH2004", "unknown-domain", Error,
        "A qualified name or a dependency names a domain that is not part of the workspace.";
    DuplicateName = "MESH2005", "duplicate-name", Error,
        "Two domains of the workspace, two models or a model and a source of one domain, or two columns of one source have the same name (names are case-insensitive, as in SQL). Rename one.";
    DependencyCycle = "MESH2006", "dependency-cycle", Error,
        "Models read each other in a cycle, so none can be built first. The message prints the cycle; break it by moving the shared logic into a new model.";
    UnknownColumn = "MESH2007", "unknown-column", Error,
        "A column name resolves to no column of the relations in scope. The help suggests the closest column.";
    AmbiguousColumn = "MESH2008", "ambiguous-column", Error,
        "An unqualified column name exists in more than one relation in scope. Qualify it (`o.customer_id`).";
    ColumnNotInContract = "MESH2009", "column-not-in-contract", Error,
        "A consumer reads a column of another domain's product that the product's contract does not declare. Only contract columns exist for consumers, whatever the producer's SQL outputs.";
    InvalidDependency = "MESH2010", "invalid-dependency", Error,
        "A dependency in `domain.yaml` is not usable: it names the domain itself or an unknown domain.";
    AccessDenied = "MESH2011", "access-denied", Error,
        "A model reads a product whose contract restricts access (`customProperties: meshc.access`) to other domains.";
    DependencyVersion = "MESH2012", "dependency-version", Error,
        "The version of a product a model reads does not satisfy the dependency requirement in domain.yaml.";
    NullableComparison = "MESH2013", "nullable-comparison", Warning,
        "A column the producer's contract marks `required: false` is compared or joined on as if it could not be NULL; rows where it is NULL silently drop out. Handle NULL explicitly (COALESCE, IS NULL) or ask the producer to make it required.";
    LockMissing = "MESH2014", "lock-missing", Error,
        "The workspace consumes products but has no mesh.lock, or the lock does not record a consumed product. Run `meshc lock`.";
    LockStale = "MESH2015", "lock-stale", Error,
        "mesh.lock records another version or content hash of a consumed product than the one resolved now. Run `meshc lock` (workspace contracts) or `meshc update DOMAIN` (registry products).";
    InvalidName = "MESH2016", "invalid-name", Error,
        "A workspace, domain, model, source or column name is not an identifier: names are ASCII letters, digits and underscores, start with a letter or an underscore, and are at most 63 characters long (docs/workspace-format.md, *Names*). Rename it; for a model, rename its file.";
    ReservedName = "MESH2017", "reserved-name", Error,
        "A name contains `__meshc` (reserved for meshc's temporary tables), or a domain is named like a schema or catalog the engines reserve (`main`, `temp`, `system`, `information_schema`, `pg_catalog` and any `pg_…`, …). Rename it.";
    NotGrouped = "MESH3001", "not-grouped", Error,
        "A column is used outside an aggregate function in a grouped query but is not in GROUP BY. Add it to GROUP BY or wrap it in an aggregate such as MIN or ANY_VALUE.";
    IncompatibleComparison = "MESH3002", "incompatible-comparison", Error,
        "Two values of types that cannot be compared (for example a DATE and an INTEGER) are compared. CAST one side.";
    IncompatibleJoin = "MESH3003", "incompatible-join", Error,
        "A join condition or USING column compares columns of incompatible types.";
    SetOperationMismatch = "MESH3004", "set-operation-mismatch", Error,
        "The branches of a UNION, INTERSECT or EXCEPT have different numbers of columns or incompatible column types.";
    FunctionArgumentType = "MESH3005", "function-argument-type", Error,
        "A function or operator is applied to arguments of the wrong type, for example SUM over a VARCHAR.";
    UnknownFunction = "MESH3006", "unknown-function", Error,
        "The function is not part of mesh SQL's portable function library, so meshc cannot type it or emit it for every target. See docs/functions.md.";
    FunctionArity = "MESH3007", "function-arity", Error,
        "A function is called with the wrong number of arguments.";
    ExpectedBoolean = "MESH3008", "expected-boolean", Error,
        "A WHERE, HAVING, ON or CASE WHEN condition is not a boolean expression.";
    MissingAlias = "MESH3009", "missing-alias", Error,
        "An output column that is not a plain column reference needs an alias (`SUM(amount) AS total_amount`): engines name such columns differently, so the model's schema would depend on the target.";
    DuplicateColumn = "MESH3010", "duplicate-column", Error,
        "A model outputs two columns with the same name. Alias one of them.";
    Unsupported = "MESH3011", "unsupported", Error,
        "The SQL construct parses but meshc does not type-check it yet, so it cannot guarantee the same result on every target. Rewrite it with supported constructs (docs/sql.md).";
    AggregateMisuse = "MESH3012", "aggregate-misuse", Error,
        "An aggregate function appears where it is not allowed: in WHERE, in GROUP BY, in a join condition, or nested inside another aggregate.";
    InvalidCast = "MESH3013", "invalid-cast", Error,
        "A CAST between types that cannot be converted (for example DATE to INTEGER).";
    DuplicateAlias = "MESH3014", "duplicate-alias", Error,
        "Two relations of one FROM clause have the same name or alias, so a qualified column could mean either. Alias one of them.";
    TooManyRelations = "MESH3015", "too-many-relations", Error,
        "One FROM clause names more than 1,000 relations (tables and joins; see docs/sql.md); meshc does not type it. Split the joins into CTEs or intermediate models.";
    UnsupportedOnTarget = "MESH4001", "unsupported-on-target", Error,
        "The construct cannot be expressed on the chosen target; the message names the target. Rewrite it or build for another target.";
    SourceLoadFailed = "MESH5001", "source-load-failed", Error,
        "A source file could not be loaded with its declared columns and types (missing file, a value that does not fit its type). The message names the file and line.";
    ModelFailed = "MESH5002", "model-failed", Error,
        "The engine refused or failed a model at run time. The previous data of the model is kept.";
    ModelSkipped = "MESH5003", "model-skipped", Warning,
        "A model was not built because a model or source it reads failed in this run, or a product it reads (or checks against) is INVALID.";
    ProductInvalid = "MESH5004", "product-invalid", Error,
        "An error-level quality rule of the product's contract failed on the new version: the product is INVALID, its previous version is kept and its consumers are skipped (`meshc run --allow-invalid` swaps it in anyway). The message names the rule, its value and its threshold; `meshc test --show-failures` shows failing rows.";
    DatabaseLocked = "MESH5005", "database-locked", Error,
        "The DuckDB database file is held by another process (DuckDB allows one writer at a time), so nothing was run and nothing changed; the message names the file and, when DuckDB says so, the process. Close the other program (a DuckDB shell, a notebook, another `meshc run`) and run again. Exit code 2.";
    NotADatabase = "MESH5006", "not-a-database", Error,
        "The database path (`--database` or `targets.duckdb.path`) names an existing file that is not a DuckDB database, for example a CSV. meshc refuses it and leaves the file untouched. Point the option at a new path or at a DuckDB file. Exit code 2.";
    DatabaseUnavailable = "MESH5007", "database-unavailable", Error,
        "The database file cannot be opened or created (permissions, a missing or read-only directory, a damaged file). Nothing was run. Exit code 2.";
    WorkspaceBusy = "MESH5008", "workspace-busy", Error,
        "Another `meshc run` of this workspace is under way (it holds `target/.meshc-run.lock`); the message names its process id, start time and command. Wait for it to finish or stop it; a run that was killed releases the lock with its process. Nothing was changed. Exit code 2.";
    SourceColumnsMismatch = "MESH5009", "source-columns-mismatch", Error,
        "The header (line 1) of a CSV source does not list the columns sources.yaml declares: the message names the missing and the unexpected columns. Columns are matched by name, in any order. Correct the header or the declaration in sources.yaml. The previous table is kept.";
    RunInterrupted = "MESH5010", "run-interrupted", Error,
        "The run was stopped (SIGINT or SIGTERM) before this node finished. Its temporary objects were dropped and its previous version is kept; run again to build it.";
}

#[cfg(test)]
mod tests {
    use super::Code;
    use std::collections::HashSet;

    #[test]
    fn codes_and_names_are_unique() {
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        for code in Code::ALL {
            assert!(codes.insert(code.as_str()), "duplicate {}", code.as_str());
            assert!(names.insert(code.name()), "duplicate {}", code.name());
            assert!(code.as_str().starts_with("MESH") && code.as_str().len() == 8);
        }
    }
}
