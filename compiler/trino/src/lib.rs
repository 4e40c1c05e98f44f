//! A client of Trino's HTTP client protocol, for running meshc's emitted SQL
//! on a Trino coordinator.
//!
//! One statement is one `POST /v1/statement` with the SQL as its body and the
//! session in `X-Trino-*` headers (user, source, catalog, schema, session
//! properties), followed by `GET nextUri` until an answer has none. Each
//! answer may carry the columns, a page of rows, statistics (progress) and,
//! for a failed statement, Trino's error with its position in the SQL.
//! Cancelling sends `DELETE nextUri`. Only a `GET nextUri` answered with
//! 502/503/504 is retried, as the protocol allows; nothing else is.
//!
//! Synchronous (ureq), like the rest of the run path: one blocking request at
//! a time per statement, any number of statements on as many threads.
//! Plain HTTP only for now (no TLS, no authentication beyond the user name).
//!
//! ```no_run
//! let client = mesh_trino::Client::new("http://127.0.0.1:8080", "meshc");
//! let result = client.execute("SELECT count(*) FROM raw_customers", Some("customersdb"), Some("public"))?;
//! println!("{:?}", result.rows);
//! # Ok::<(), mesh_trino::Error>(())
//! ```
//!
//! Modules: `client` (the statement loop, retries, cancellation), `protocol`
//! (the JSON documents), `error`.

mod client;
mod error;
mod protocol;

pub use client::{
    Cancel, Client, Column, Handler, NO_NODES_ATTEMPTS, Options, Progress, QueryResult, Retry,
    Summary,
};
pub use error::{Error, TrinoError};
