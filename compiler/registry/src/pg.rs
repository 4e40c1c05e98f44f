//! A registry in PostgreSQL, through tokio-postgres.
//!
//! meshc creates and migrates the schema itself: `meshc_schema_migrations`
//! records which of [`MIGRATIONS`] are applied; each missing one runs in its own
//! transaction that first takes a transaction-level advisory lock, so processes
//! connecting at the same time migrate one after the other (the later ones find
//! the work done). A database whose schema is newer than this meshc is refused.
//!
//! ```text
//! meshc_published       (domain, product, version) -> major, minor, patch, pre, content, hash, published_at
//! meshc_consumers       (workspace, consumer) -> recorded_at
//! meshc_consumptions    (workspace, consumer, ordinal) -> domain, product, version, uses (jsonb)
//! meshc_quality_status  (domain, product, version) -> status, rules, updated_at
//! ```
//!
//! A publish is one transaction around one `INSERT`: the primary key lets
//! exactly one of two concurrent publishes of a version commit; the other gets
//! `unique_violation` (SQLSTATE 23505) once the winner commits, and reports the
//! winner's hash. A process killed before its commit leaves nothing: the server
//! rolls back a transaction whose connection is gone.
//!
//! The trait is synchronous, so a [`PgRegistry`] owns one connection and a
//! current-thread tokio runtime that drives it (`block_on` per operation).

use std::error::Error as _;
use std::sync::Mutex;
use std::time::Duration;

use tokio::runtime::Runtime;
use tokio_postgres::config::Host;
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, Config, IsolationLevel, NoTls};

use crate::dir::segment;
use crate::{
    ColumnUse, Consumption, ProductVersion, Published, QualityStatus, Registry, RegistryError,
    Result, content_hash,
};

/// The schema, one migration per entry: entry `i` is version `i + 1`. Append
/// only: an applied migration never changes.
const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE meshc_published (
    domain       text        NOT NULL,
    product      text        NOT NULL,
    major        bigint      NOT NULL CHECK (major >= 0),
    minor        bigint      NOT NULL CHECK (minor >= 0),
    patch        bigint      NOT NULL CHECK (patch >= 0),
    pre          text        NOT NULL DEFAULT '',
    version      text        NOT NULL,
    content      text        NOT NULL,
    hash         text        NOT NULL,
    published_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (domain, product, version)
);
CREATE TABLE meshc_consumers (
    workspace   text        NOT NULL,
    consumer    text        NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace, consumer)
);
CREATE TABLE meshc_consumptions (
    workspace text    NOT NULL,
    consumer  text    NOT NULL,
    ordinal   integer NOT NULL,
    domain    text    NOT NULL,
    product   text    NOT NULL,
    version   text    NOT NULL,
    uses      jsonb   NOT NULL,
    PRIMARY KEY (workspace, consumer, ordinal),
    FOREIGN KEY (workspace, consumer) REFERENCES meshc_consumers ON DELETE CASCADE
);
CREATE INDEX meshc_consumptions_by_product ON meshc_consumptions (domain, product);
CREATE TABLE meshc_quality_status (
    domain     text        NOT NULL,
    product    text        NOT NULL,
    version    text        NOT NULL,
    status     text        NOT NULL CHECK (status IN ('valid', 'invalid')),
    rules      text[]      NOT NULL DEFAULT '{}',
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (domain, product, version)
);
"#];

/// The advisory lock key that serializes migrations ("meshc" in ASCII).
const MIGRATION_LOCK: i64 = 0x6d_65_73_68_63;

const MIGRATIONS_TABLE: &str = "CREATE TABLE IF NOT EXISTS meshc_schema_migrations (
    version    integer     PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
)";

/// Connecting waits this long for the server unless the URL says otherwise.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A registry in a PostgreSQL database: one connection, used by one operation
/// at a time.
pub struct PgRegistry {
    // Declared before `runtime`, so the connection closes before the runtime stops.
    client: Mutex<Client>,
    runtime: Runtime,
    /// `postgres://host:port/db`, never the user or password.
    location: String,
}

/// Why an operation failed, before it becomes a [`RegistryError`].
enum Failure {
    Pg(tokio_postgres::Error),
    Message(String),
    Registry(RegistryError),
}

impl From<tokio_postgres::Error> for Failure {
    fn from(error: tokio_postgres::Error) -> Failure {
        Failure::Pg(error)
    }
}

type Outcome<T> = std::result::Result<T, Failure>;

impl PgRegistry {
    /// Connects to `url` (`postgres://user[:password]@host:port/db`, or any
    /// connection string tokio-postgres accepts) and brings the schema up to
    /// date. Plain TCP or a Unix socket; TLS is not supported yet.
    pub fn connect(url: &str) -> Result<PgRegistry> {
        let cannot = |location: &str, message: String| {
            RegistryError::Backend(format!(
                "cannot connect to the registry at {location}: {message}"
            ))
        };
        let mut config: Config = url
            .parse()
            .map_err(|e: tokio_postgres::Error| cannot(&redact(url), describe(&e)))?;
        let location = location_of(&config);
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| cannot(&location, format!("cannot start an async runtime: {e}")))?;
        let mut client = runtime
            .block_on(async {
                let (client, connection) = config.connect(NoTls).await?;
                // Runs whenever an operation is in `block_on`; ends when `client` drops.
                tokio::spawn(async move {
                    let _ = connection.await;
                });
                Ok::<_, tokio_postgres::Error>(client)
            })
            .map_err(|e| cannot(&location, describe(&e)))?;
        runtime
            .block_on(migrate(&mut client))
            .map_err(|failure| fail(&location, "migrate the schema", failure))?;
        Ok(PgRegistry {
            client: Mutex::new(client),
            runtime,
            location,
        })
    }

    /// Runs one operation on the connection; `doing` says what, for messages.
    fn run<T>(
        &self,
        doing: &str,
        operation: impl AsyncFnOnce(&mut Client) -> Outcome<T>,
    ) -> Result<T> {
        // A panic elsewhere cannot leave the client half-used: an unfinished
        // transaction rolls back when dropped.
        let mut client = self.client.lock().unwrap_or_else(|e| e.into_inner());
        self.runtime
            .block_on(operation(&mut client))
            .map_err(|failure| fail(&self.location, doing, failure))
    }

    /// [`Registry::publish`], calling `before_commit` after the insert and
    /// before the commit. For tests that kill a publish half-way.
    #[doc(hidden)]
    pub fn publish_with_hook(
        &self,
        contract: &Published,
        before_commit: &mut dyn FnMut(),
    ) -> Result<()> {
        let id = &contract.id;
        segment(&id.domain)?;
        segment(&id.product)?;
        let number = |n: u64| {
            i64::try_from(n).map_err(|_| {
                RegistryError::Backend(format!(
                    "{id}: version numbers above {} are not supported",
                    i64::MAX
                ))
            })
        };
        let (major, minor, patch) = (
            number(id.version.major)?,
            number(id.version.minor)?,
            number(id.version.patch)?,
        );
        let version = id.version.to_string();
        let hash = content_hash(&contract.content);
        self.run(&format!("publish {id}"), async |client| {
            let tx = client
                .build_transaction()
                .isolation_level(IsolationLevel::ReadCommitted)
                .start()
                .await?;
            let inserted = tx
                .execute(
                    "INSERT INTO meshc_published \
                     (domain, product, major, minor, patch, pre, version, content, hash) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    &[
                        &id.domain,
                        &id.product,
                        &major,
                        &minor,
                        &patch,
                        &id.version.pre.as_str(),
                        &version,
                        &contract.content,
                        &hash,
                    ],
                )
                .await;
            match inserted {
                Ok(_) => {
                    before_commit();
                    tx.commit().await?;
                    Ok(())
                }
                Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                    tx.rollback().await?;
                    // The winner has committed: that is what ended our wait on the key.
                    let winner = client
                        .query_opt(
                            "SELECT hash FROM meshc_published \
                             WHERE domain = $1 AND product = $2 AND version = $3",
                            &[&id.domain, &id.product, &version],
                        )
                        .await?;
                    let hash = match winner {
                        Some(row) => row.try_get(0)?,
                        None => String::new(),
                    };
                    Err(Failure::Registry(RegistryError::VersionExists {
                        id: id.clone(),
                        hash,
                    }))
                }
                Err(e) => Err(e.into()),
            }
        })
    }
}

impl Registry for PgRegistry {
    fn location(&self) -> String {
        self.location.clone()
    }

    fn publish(&self, contract: &Published) -> Result<()> {
        self.publish_with_hook(contract, &mut || {})
    }

    fn versions(&self, domain: &str, product: &str) -> Result<Vec<semver::Version>> {
        self.run(
            &format!("list the versions of {domain}.{product}"),
            async |client| {
                let rows = client
                    .query(
                        "SELECT version FROM meshc_published WHERE domain = $1 AND product = $2 \
                     ORDER BY major, minor, patch",
                        &[&domain, &product],
                    )
                    .await?;
                let mut versions = Vec::with_capacity(rows.len());
                for row in rows {
                    versions.push(parse_version(domain, product, row.try_get(0)?)?);
                }
                // Semver precedence (pre-releases before their release), not text order.
                versions.sort();
                Ok(versions)
            },
        )
    }

    fn fetch(&self, id: &ProductVersion) -> Result<Option<Published>> {
        self.run(&format!("read {id}"), async |client| {
            let row = client
                .query_opt(
                    "SELECT content, hash FROM meshc_published \
                     WHERE domain = $1 AND product = $2 AND version = $3",
                    &[&id.domain, &id.product, &id.version.to_string()],
                )
                .await?;
            let Some(row) = row else { return Ok(None) };
            let content: String = row.try_get(0)?;
            let stored: String = row.try_get(1)?;
            let published = Published::new(id.clone(), content);
            if published.hash != stored {
                return Err(Failure::Message(format!(
                    "the stored content of {id} does not match its hash {stored}"
                )));
            }
            Ok(Some(published))
        })
    }

    fn products(&self) -> Result<Vec<(String, String, Vec<semver::Version>)>> {
        self.run("list the products", async |client| {
            let rows = client
                .query("SELECT domain, product, version FROM meshc_published", &[])
                .await?;
            let mut products: std::collections::BTreeMap<(String, String), Vec<semver::Version>> =
                std::collections::BTreeMap::new();
            for row in rows {
                let domain: String = row.try_get(0)?;
                let product: String = row.try_get(1)?;
                let version = parse_version(&domain, &product, row.try_get(2)?)?;
                products.entry((domain, product)).or_default().push(version);
            }
            Ok(products
                .into_iter()
                .map(|((domain, product), mut versions)| {
                    versions.sort();
                    (domain, product, versions)
                })
                .collect())
        })
    }

    fn record_consumption(
        &self,
        workspace: &str,
        consumer: &str,
        consumptions: &[Consumption],
    ) -> Result<()> {
        segment(workspace)?;
        segment(consumer)?;
        let mut rows = Vec::with_capacity(consumptions.len());
        for (ordinal, consumption) in consumptions.iter().enumerate() {
            if consumption.workspace != workspace || consumption.consumer != consumer {
                return Err(RegistryError::Backend(format!(
                    "a consumption recorded for {workspace}/{consumer} names {}/{}",
                    consumption.workspace, consumption.consumer
                )));
            }
            let ordinal = i32::try_from(ordinal)
                .map_err(|_| RegistryError::Backend("too many consumptions".into()))?;
            let uses = serde_json::to_string(&consumption.uses)
                .map_err(|e| RegistryError::Backend(e.to_string()))?;
            rows.push((ordinal, consumption, uses));
        }
        self.run(
            &format!("record what {workspace}/{consumer} consumes"),
            async |client| {
                let tx = client
                    .build_transaction()
                    .isolation_level(IsolationLevel::ReadCommitted)
                    .start()
                    .await?;
                // Locks the consumer's row: concurrent replacements take turns.
                tx.execute(
                    "INSERT INTO meshc_consumers (workspace, consumer) VALUES ($1, $2) \
                     ON CONFLICT (workspace, consumer) DO UPDATE SET recorded_at = now()",
                    &[&workspace, &consumer],
                )
                .await?;
                tx.execute(
                    "DELETE FROM meshc_consumptions WHERE workspace = $1 AND consumer = $2",
                    &[&workspace, &consumer],
                )
                .await?;
                let insert = tx
                    .prepare(
                        "INSERT INTO meshc_consumptions \
                         (workspace, consumer, ordinal, domain, product, version, uses) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7::text::jsonb)",
                    )
                    .await?;
                for (ordinal, consumption, uses) in &rows {
                    let product = &consumption.product;
                    tx.execute(
                        &insert,
                        &[
                            &workspace,
                            &consumer,
                            ordinal,
                            &product.domain,
                            &product.product,
                            &product.version.to_string(),
                            uses,
                        ],
                    )
                    .await?;
                }
                tx.commit().await?;
                Ok(())
            },
        )
    }

    fn consumers(&self, domain: &str, product: &str) -> Result<Vec<Consumption>> {
        self.run(
            &format!("list the consumers of {domain}.{product}"),
            async |client| {
                let rows = client
                    .query(
                        "SELECT workspace, consumer, version, uses::text FROM meshc_consumptions \
                     WHERE domain = $1 AND product = $2",
                        &[&domain, &product],
                    )
                    .await?;
                let mut out = Vec::with_capacity(rows.len());
                for row in rows {
                    let uses: String = row.try_get(3)?;
                    let uses: Vec<ColumnUse> = serde_json::from_str(&uses).map_err(|e| {
                        Failure::Message(format!("a recorded consumption is damaged: {e}"))
                    })?;
                    out.push(Consumption {
                        workspace: row.try_get(0)?,
                        consumer: row.try_get(1)?,
                        product: ProductVersion {
                            domain: domain.to_string(),
                            product: product.to_string(),
                            version: parse_version(domain, product, row.try_get(2)?)?,
                        },
                        uses,
                    });
                }
                out.sort();
                Ok(out)
            },
        )
    }

    fn set_status(&self, id: &ProductVersion, status: &QualityStatus) -> Result<()> {
        segment(&id.domain)?;
        segment(&id.product)?;
        let (name, rules): (&str, &[String]) = match status {
            QualityStatus::Valid => ("valid", &[]),
            QualityStatus::Invalid { rules } => ("invalid", rules),
        };
        self.run(&format!("record the status of {id}"), async |client| {
            client
                .execute(
                    "INSERT INTO meshc_quality_status (domain, product, version, status, rules) \
                     VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (domain, product, version) DO UPDATE \
                     SET status = excluded.status, rules = excluded.rules, updated_at = now()",
                    &[
                        &id.domain,
                        &id.product,
                        &id.version.to_string(),
                        &name,
                        &rules,
                    ],
                )
                .await?;
            Ok(())
        })
    }

    fn status(&self, id: &ProductVersion) -> Result<Option<QualityStatus>> {
        self.run(&format!("read the status of {id}"), async |client| {
            let row = client
                .query_opt(
                    "SELECT status, rules FROM meshc_quality_status \
                     WHERE domain = $1 AND product = $2 AND version = $3",
                    &[&id.domain, &id.product, &id.version.to_string()],
                )
                .await?;
            let Some(row) = row else { return Ok(None) };
            let status: String = row.try_get(0)?;
            match status.as_str() {
                "valid" => Ok(Some(QualityStatus::Valid)),
                "invalid" => Ok(Some(QualityStatus::Invalid {
                    rules: row.try_get(1)?,
                })),
                other => Err(Failure::Message(format!(
                    "the status of {id} is `{other}`, which this meshc does not know"
                ))),
            }
        })
    }
}

/// Applies the migrations the database lacks, each in one transaction under
/// the advisory lock.
async fn migrate(client: &mut Client) -> Outcome<()> {
    let known = MIGRATIONS.len() as i32;
    // Fast path: a database already up to date takes no lock.
    let exists: bool = client
        .query_one(
            "SELECT to_regclass('meshc_schema_migrations') IS NOT NULL",
            &[],
        )
        .await?
        .try_get(0)?;
    if exists {
        let current: i32 = client
            .query_one(
                "SELECT coalesce(max(version), 0) FROM meshc_schema_migrations",
                &[],
            )
            .await?
            .try_get(0)?;
        if current > known {
            return Err(Failure::Message(format!(
                "its schema is at version {current}, newer than this meshc knows ({known}); \
                 upgrade meshc"
            )));
        }
        if current == known {
            return Ok(());
        }
    }
    for (index, sql) in MIGRATIONS.iter().enumerate() {
        let version = index as i32 + 1;
        let tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::ReadCommitted)
            .start()
            .await?;
        // Waits for any other migrating process; the statements after it see
        // what that process committed (read committed: a snapshot per statement).
        tx.batch_execute(&format!(
            "SELECT pg_advisory_xact_lock({MIGRATION_LOCK}); {MIGRATIONS_TABLE}"
        ))
        .await?;
        let applied = tx
            .query_opt(
                "SELECT 1 FROM meshc_schema_migrations WHERE version = $1",
                &[&version],
            )
            .await?
            .is_some();
        if !applied {
            tx.batch_execute(sql).await.map_err(|e| {
                Failure::Message(format!("migration {version} failed: {}", describe(&e)))
            })?;
            tx.execute(
                "INSERT INTO meshc_schema_migrations (version) VALUES ($1)",
                &[&version],
            )
            .await?;
        }
        tx.commit().await?;
    }
    Ok(())
}

fn parse_version(domain: &str, product: &str, text: String) -> Outcome<semver::Version> {
    semver::Version::parse(&text).map_err(|e| {
        Failure::Message(format!(
            "{domain}.{product} has a damaged version `{text}`: {e}"
        ))
    })
}

fn fail(location: &str, doing: &str, failure: Failure) -> RegistryError {
    match failure {
        Failure::Registry(error) => error,
        Failure::Pg(error) => RegistryError::Backend(format!(
            "cannot {doing} in the registry at {location}: {}",
            describe(&error)
        )),
        Failure::Message(message) => RegistryError::Backend(format!(
            "cannot {doing} in the registry at {location}: {message}"
        )),
    }
}

/// A tokio-postgres error with its causes (its `Display` shows only the kind).
fn describe(error: &tokio_postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        let mut out = format!("{} (SQLSTATE {})", db.message(), db.code().code());
        if let Some(detail) = db.detail() {
            out.push_str(&format!("; {detail}"));
        }
        if let Some(hint) = db.hint() {
            out.push_str(&format!("; {hint}"));
        }
        return out;
    }
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        source = cause.source();
    }
    out
}

/// `postgres://host:port/db` of a parsed configuration: no user, no password.
fn location_of(config: &Config) -> String {
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(host)) if host.contains(':') => format!("[{host}]"),
        Some(Host::Tcp(host)) => host.clone(),
        Some(Host::Unix(path)) => path.display().to_string(),
        None => match config.get_hostaddrs().first() {
            Some(std::net::IpAddr::V6(addr)) => format!("[{addr}]"),
            Some(addr) => addr.to_string(),
            None => String::new(),
        },
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config
        .get_dbname()
        .or(config.get_user())
        .unwrap_or_default();
    format!("postgres://{host}:{port}/{db}")
}

/// A connection string that did not parse, without what could be a password:
/// the user information and the query of a URL go; other forms are not shown.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "the given connection string".into();
    };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let path = tail.split('?').next().unwrap_or_default();
    format!("{scheme}://{host}{path}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_never_show_credentials() {
        let config: Config = "postgres://meshc:s3cret@127.0.0.1:5433/reg"
            .parse()
            .expect("valid");
        assert_eq!(location_of(&config), "postgres://127.0.0.1:5433/reg");
        let config: Config = "postgresql://me@localhost".parse().expect("valid");
        assert_eq!(location_of(&config), "postgres://localhost:5432/me");
        assert_eq!(
            redact("postgres://meshc:s3cret@db:x/reg?password=s3cret"),
            "postgres://db:x/reg"
        );
        assert_eq!(
            redact("host=db password=s3cret"),
            "the given connection string"
        );
    }
}
