//! The statement loop: `POST /v1/statement`, then `GET nextUri` until there
//! is none, handing each page of rows and each progress report to a
//! [`Handler`]; `DELETE nextUri` when cancelled.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use serde_json::Value;

use crate::error::{Error, TrinoError};
use crate::protocol::QueryResults;

/// Pages are at most a few MB (Trino's target result size); this only stops
/// a runaway answer from filling memory.
const MAX_PAGE_BYTES: u64 = 256 << 20;
/// How much of an unexpected answer's body goes into [`Error::Http`].
const MAX_ERROR_BODY: usize = 2_000;

/// One Trino coordinator, as one user. Cheap to share between threads: every
/// statement is independent (no session state is kept between statements,
/// so `USE` and `SET SESSION` have no effect on later ones: pass the catalog,
/// schema and session properties of each statement in [`Options`]).
#[derive(Clone, Debug)]
pub struct Client {
    base: String,
    user: String,
    source: String,
    agent: ureq::Agent,
    retry: Retry,
}

/// Submissions in all of a statement that Trino answers with
/// `NO_NODES_AVAILABLE` (see [`Client::execute_with`]): pauses of 0.5, 1, 2
/// and 4 s, 7.5 s in all.
pub const NO_NODES_ATTEMPTS: u32 = 5;

/// A handler that notes whether any row went through it.
struct SeenRows<'a> {
    inner: &'a mut dyn Handler,
    seen: &'a mut bool,
}

impl Handler for SeenRows<'_> {
    fn progress(&mut self, progress: &Progress) {
        self.inner.progress(progress);
    }

    fn rows(&mut self, columns: &[Column], rows: Vec<Vec<Value>>) {
        *self.seen = true;
        self.inner.rows(columns, rows);
    }
}

/// How often and how long a `GET nextUri` that got 502, 503 or 504 is tried
/// again. The protocol allows it (a gateway's intermittent failure; Trino does
/// not send these itself) and asks for a first retry after 50–100 ms. The
/// initial `POST` is never retried: a gateway's 502 or 504 does not say
/// whether the statement was submitted, and it may not be idempotent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retry {
    /// Attempts in all, the first included.
    pub attempts: u32,
    pub first_delay: Duration,
    /// The delay doubles after each attempt, up to this.
    pub max_delay: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            attempts: 10,
            first_delay: Duration::from_millis(75),
            max_delay: Duration::from_secs(2),
        }
    }
}

/// How a statement runs: where unqualified names resolve, session properties,
/// and a [`Cancel`] that stops it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options<'a> {
    pub catalog: Option<&'a str>,
    /// Needs a catalog.
    pub schema: Option<&'a str>,
    /// Session properties (`X-Trino-Session`), e.g. `("query_max_run_time", "10m")`.
    pub session: &'a [(&'a str, &'a str)],
    pub cancel: Option<&'a Cancel>,
    /// A statement run before a statement Trino failed with
    /// `NO_NODES_AVAILABLE` is submitted again (see [`Client::execute_with`]),
    /// e.g. `DROP TABLE IF EXISTS t` before a `CREATE TABLE t AS …` again: a
    /// connector without rollback (the memory connector) can keep the table
    /// a failed attempt created.
    pub before_resubmit: Option<&'a str>,
}

/// Stops a running statement from another thread (e.g. on Ctrl-C). The
/// statement loop sees it before its next request (each `GET nextUri` returns
/// within about a second), sends `DELETE nextUri` and returns
/// [`Error::Cancelled`]. Cloning shares the flag.
#[derive(Clone, Debug, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn new() -> Cancel {
        Cancel::default()
    }

    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// A result column: its name and Trino's type, e.g. `varchar`, `decimal(10,2)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub type_name: String,
}

/// Where a statement is, from the `stats` of each answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    pub query_id: String,
    /// `QUEUED`, `PLANNING`, `STARTING`, `RUNNING`, `FINISHING`, `FINISHED` or `FAILED`.
    pub state: String,
    pub queued: bool,
    pub scheduled: bool,
    pub nodes: u64,
    pub total_splits: u64,
    pub completed_splits: u64,
    pub processed_rows: u64,
    pub processed_bytes: u64,
    pub elapsed: Duration,
    /// Trino's estimate, only while it can make one.
    pub percentage: Option<f64>,
}

/// Receives a statement's results as they arrive.
pub trait Handler {
    /// After every answer, with its statistics.
    fn progress(&mut self, _progress: &Progress) {}
    /// A page of rows, in order; each value as Trino encodes it in JSON
    /// (numbers for integers and doubles, strings for decimals, dates, times).
    fn rows(&mut self, columns: &[Column], rows: Vec<Vec<Value>>);
}

/// What is left of a statement once its rows went to a [`Handler`].
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub query_id: String,
    pub columns: Vec<Column>,
    /// For statements that change something: `CREATE TABLE`, `INSERT`, `DROP TABLE`, …
    pub update_type: Option<String>,
    /// Rows written, for `INSERT`, `CREATE TABLE AS`, `DELETE`, `MERGE`, …
    pub update_count: Option<u64>,
    pub warnings: Vec<String>,
    /// The last statistics, with state `FINISHED`.
    pub progress: Progress,
}

/// A statement's whole result, from [`Client::execute`].
#[derive(Clone, Debug, PartialEq)]
pub struct QueryResult {
    pub query_id: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Value>>,
    pub update_type: Option<String>,
    pub update_count: Option<u64>,
    pub warnings: Vec<String>,
}

impl Client {
    /// A client of the coordinator at `base_url` (e.g. `http://127.0.0.1:8080`),
    /// sending `user` as `X-Trino-User` and `meshc` as `X-Trino-Source`.
    pub fn new(base_url: &str, user: &str) -> Client {
        let agent = ureq::Agent::config_builder()
            // Statuses are the protocol's business: 502/503/504 are retried.
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(10)))
            // A `GET nextUri` answers within about a second however long the
            // statement runs; this bounds a server that stopped answering.
            .timeout_global(Some(Duration::from_secs(120)))
            .user_agent(concat!("meshc-trino/", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        Client {
            base: base_url.trim_end_matches('/').to_string(),
            user: user.to_string(),
            source: "meshc".to_string(),
            agent,
            retry: Retry::default(),
        }
    }

    /// `X-Trino-Source` instead of `meshc`.
    pub fn with_source(mut self, source: &str) -> Client {
        self.source = source.to_string();
        self
    }

    pub fn with_retry(mut self, retry: Retry) -> Client {
        self.retry = retry;
        self
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// Runs one statement with `catalog` and `schema` as its defaults and
    /// returns all of its rows.
    pub fn execute(
        &self,
        sql: &str,
        catalog: Option<&str>,
        schema: Option<&str>,
    ) -> Result<QueryResult, Error> {
        let options = Options {
            catalog,
            schema,
            ..Options::default()
        };
        self.execute_collecting(sql, &options)
    }

    /// Runs one statement with `options` (a session, a [`Cancel`]) and
    /// returns all of its rows.
    pub fn execute_collecting(
        &self,
        sql: &str,
        options: &Options<'_>,
    ) -> Result<QueryResult, Error> {
        let mut rows = Collect(Vec::new());
        let summary = self.execute_with(sql, options, &mut rows)?;
        Ok(QueryResult {
            query_id: summary.query_id,
            columns: summary.columns,
            rows: rows.0,
            update_type: summary.update_type,
            update_count: summary.update_count,
            warnings: summary.warnings,
        })
    }

    /// Runs one statement, handing its rows and progress to `handler` as they
    /// arrive (memory stays at one page however large the result).
    ///
    /// A statement Trino failed with `NO_NODES_AVAILABLE` before any row
    /// arrived is submitted again, up to [`NO_NODES_ATTEMPTS`] times in all
    /// with a doubling pause from 0.5 s: Trino raises it when it schedules
    /// the query and finds no active worker (a worker registering or
    /// missing a heartbeat), so nothing of the statement ran — or, on a
    /// connector that does not roll back, nothing but what
    /// [`Options::before_resubmit`] undoes first.
    pub fn execute_with(
        &self,
        sql: &str,
        options: &Options<'_>,
        handler: &mut dyn Handler,
    ) -> Result<Summary, Error> {
        let mut delay = Duration::from_millis(500);
        let mut attempt = 1;
        loop {
            let mut rows_seen = false;
            let mut counting = SeenRows {
                inner: &mut *handler,
                seen: &mut rows_seen,
            };
            match self.execute_once(sql, options, &mut counting) {
                Err(Error::Query(error))
                    if error.name == "NO_NODES_AVAILABLE"
                        && !rows_seen
                        && attempt < NO_NODES_ATTEMPTS
                        && !options.cancel.is_some_and(Cancel::is_cancelled) =>
                {
                    thread::sleep(delay);
                    delay *= 2;
                    attempt += 1;
                    if let Some(clean_up) = options.before_resubmit {
                        let options = Options {
                            before_resubmit: None,
                            ..*options
                        };
                        self.execute_with(clean_up, &options, &mut Collect(Vec::new()))?;
                    }
                }
                other => return other,
            }
        }
    }

    fn execute_once(
        &self,
        sql: &str,
        options: &Options<'_>,
        handler: &mut dyn Handler,
    ) -> Result<Summary, Error> {
        let cancelled = || options.cancel.is_some_and(Cancel::is_cancelled);
        if cancelled() {
            return Err(Error::Cancelled {
                query_id: String::new(),
            });
        }
        let mut page = self.submit(sql, options)?;
        let mut columns: Vec<Column> = Vec::new();
        let mut warnings: Vec<String> = Vec::new();
        loop {
            let progress = progress(&page);
            handler.progress(&progress);
            if columns.is_empty()
                && let Some(wire) = page.columns.take()
            {
                columns = wire
                    .into_iter()
                    .map(|c| Column {
                        name: c.name,
                        type_name: c.type_name,
                    })
                    .collect();
            }
            if let Some(data) = page.data.take()
                && !data.is_empty()
            {
                handler.rows(&columns, data);
            }
            for warning in page.warnings.drain(..) {
                if !warnings.contains(&warning.message) {
                    warnings.push(warning.message);
                }
            }
            if let Some(error) = page.error.take() {
                return Err(Error::Query(Box::new(TrinoError {
                    name: error.error_name,
                    error_type: error.error_type,
                    code: error.error_code,
                    message: error.message,
                    line: error.error_location.as_ref().map(|l| l.line_number),
                    column: error.error_location.as_ref().map(|l| l.column_number),
                    query_id: page.id,
                })));
            }
            let Some(next) = page.next_uri.take() else {
                return Ok(Summary {
                    query_id: page.id,
                    columns,
                    update_type: page.update_type,
                    update_count: page.update_count,
                    warnings,
                    progress,
                });
            };
            if cancelled() {
                self.abandon(&next);
                return Err(Error::Cancelled { query_id: page.id });
            }
            page = self.fetch(&next, options.cancel)?;
        }
    }

    fn submit(&self, sql: &str, options: &Options<'_>) -> Result<QueryResults, Error> {
        let url = format!("{}/v1/statement", self.base);
        let mut request = self
            .agent
            .post(&url)
            .header("X-Trino-User", &self.user)
            .header("X-Trino-Source", &self.source)
            // Timestamps and times at their own precision, not rounded to milliseconds.
            .header("X-Trino-Client-Capabilities", "PARAMETRIC_DATETIME")
            .header("Content-Type", "text/plain; charset=utf-8");
        if let Some(catalog) = options.catalog {
            request = request.header("X-Trino-Catalog", catalog);
        }
        if let Some(schema) = options.schema {
            request = request.header("X-Trino-Schema", schema);
        }
        for (name, value) in options.session {
            request = request.header("X-Trino-Session", format!("{name}={}", encode(value)));
        }
        let answer = request.send(sql);
        self.read(&url, answer).map_err(|(error, _)| error)
    }

    /// `GET nextUri`, again after 502/503/504 (see [`Retry`]).
    fn fetch(&self, url: &str, cancel: Option<&Cancel>) -> Result<QueryResults, Error> {
        let mut delay = self.retry.first_delay;
        let mut attempt = 1;
        loop {
            match self.read(url, self.agent.get(url).call()) {
                Err((_, true)) if attempt < self.retry.attempts => {
                    thread::sleep(delay);
                    delay = (delay * 2).min(self.retry.max_delay);
                    attempt += 1;
                    // A cancellation during the retries: the query id is in the URL only.
                    if cancel.is_some_and(Cancel::is_cancelled) {
                        self.abandon(url);
                        return Err(Error::Cancelled {
                            query_id: query_id_of(url),
                        });
                    }
                }
                result => return result.map_err(|(error, _)| error),
            }
        }
    }

    /// Tells Trino to stop the statement behind `next_uri` (`DELETE nextUri`).
    /// Best effort: the statement is being given up anyway, and Trino also
    /// abandons a statement whose client stops asking.
    fn abandon(&self, next_uri: &str) {
        let _ = self.agent.delete(next_uri).call();
    }

    /// The answer's document, or an error and whether the protocol allows a retry.
    fn read(
        &self,
        url: &str,
        answer: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<QueryResults, (Error, bool)> {
        let mut response = answer.map_err(|e| {
            (
                Error::Transport {
                    url: url.to_string(),
                    message: e.to_string(),
                },
                false,
            )
        })?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_PAGE_BYTES)
            .read_to_string()
            .map_err(|e| {
                (
                    Error::Transport {
                        url: url.to_string(),
                        message: format!("reading the answer: {e}"),
                    },
                    false,
                )
            })?;
        if status != 200 {
            let retry = matches!(status, 502..=504);
            return Err((
                Error::Http {
                    status,
                    url: url.to_string(),
                    body: clip(body.trim()),
                },
                retry,
            ));
        }
        serde_json::from_str(&body).map_err(|e| {
            (
                Error::Protocol {
                    url: url.to_string(),
                    message: format!("{e}: {}", clip(body.trim())),
                },
                false,
            )
        })
    }
}

struct Collect(Vec<Vec<Value>>);

impl Handler for Collect {
    fn rows(&mut self, _columns: &[Column], mut rows: Vec<Vec<Value>>) {
        self.0.append(&mut rows);
    }
}

fn progress(page: &QueryResults) -> Progress {
    let stats = &page.stats;
    Progress {
        query_id: page.id.clone(),
        state: stats.state.clone(),
        queued: stats.queued,
        scheduled: stats.scheduled,
        nodes: stats.nodes,
        total_splits: stats.total_splits,
        completed_splits: stats.completed_splits,
        processed_rows: stats.processed_rows,
        processed_bytes: stats.processed_bytes,
        elapsed: Duration::from_millis(stats.elapsed_time_millis),
        percentage: stats.progress_percentage,
    }
}

/// `…/v1/statement/executing/<query id>/<slug>/<token>` → the query id.
fn query_id_of(next_uri: &str) -> String {
    let mut parts = next_uri.split('/');
    parts
        .by_ref()
        .find(|&part| part == "queued" || part == "executing");
    parts.next().unwrap_or_default().to_string()
}

/// Percent-encodes a session property value (the header is `name=value`,
/// comma-separated, with values URL-encoded).
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn clip(text: &str) -> String {
    if text.len() <= MAX_ERROR_BODY {
        return text.to_string();
    }
    let mut end = MAX_ERROR_BODY;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_id_from_next_uri() {
        assert_eq!(
            query_id_of("http://127.0.0.1:1/v1/statement/executing/20261203_1_2_abc/y1/3"),
            "20261203_1_2_abc"
        );
        assert_eq!(query_id_of("http://h/v1/statement/queued/q9/x/1"), "q9");
        assert_eq!(query_id_of("http://h/elsewhere"), "");
    }

    #[test]
    fn session_values_are_url_encoded() {
        assert_eq!(encode("10m"), "10m");
        assert_eq!(encode("a b,c=d/é"), "a%20b%2Cc%3Dd%2F%C3%A9");
    }

    #[test]
    fn long_bodies_are_clipped_on_a_char_boundary() {
        let text = "é".repeat(MAX_ERROR_BODY);
        let clipped = clip(&text);
        assert!(clipped.len() <= MAX_ERROR_BODY + '…'.len_utf8());
        assert!(clipped.ends_with('…'));
    }
}
