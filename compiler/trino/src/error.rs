//! What can go wrong with a statement: Trino's own error, or the way there.

use std::fmt;

/// An error Trino reported for a statement (the protocol's `error` object).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrinoError {
    /// Trino's error name, e.g. `SYNTAX_ERROR`, `TABLE_NOT_FOUND`, `USER_CANCELED`.
    pub name: String,
    /// `USER_ERROR`, `INTERNAL_ERROR`, `INSUFFICIENT_RESOURCES` or `EXTERNAL`.
    pub error_type: String,
    pub code: i64,
    pub message: String,
    /// 1-based line and column in the statement's text, when Trino knows them.
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub query_id: String,
}

/// Every way [`crate::Client::execute`] can fail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The statement ran and Trino refused or failed it (boxed: it is the
    /// largest variant by far).
    Query(Box<TrinoError>),
    /// [`crate::Cancel::cancel`] stopped the statement; Trino was told to stop it.
    /// `query_id` is empty when it was cancelled before it was submitted.
    Cancelled { query_id: String },
    /// An HTTP status the protocol does not expect (anything but 200, and
    /// 502/503/504 on the retries that are allowed), with the start of the body.
    Http {
        status: u16,
        url: String,
        body: String,
    },
    /// No answer: connection refused, timeout, a broken connection.
    Transport { url: String, message: String },
    /// An answer that is not the protocol (not JSON, or not a query result).
    Protocol { url: String, message: String },
}

impl fmt::Display for TrinoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.message)?;
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(f, " (line {line}, column {column})")?;
        }
        Ok(())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Query(error) => write!(f, "Trino query {} failed: {error}", error.query_id),
            Error::Cancelled { query_id } if query_id.is_empty() => {
                write!(f, "cancelled before it was sent to Trino")
            }
            Error::Cancelled { query_id } => write!(f, "Trino query {query_id} cancelled"),
            Error::Http { status, url, body } => {
                write!(f, "Trino answered HTTP {status} to {url}")?;
                if !body.is_empty() {
                    write!(f, ": {body}")?;
                }
                Ok(())
            }
            Error::Transport { url, message } => {
                write!(f, "cannot reach Trino at {url}: {message}")
            }
            Error::Protocol { url, message } => {
                write!(f, "unexpected answer from Trino at {url}: {message}")
            }
        }
    }
}

impl std::error::Error for TrinoError {}
impl std::error::Error for Error {}
