//! The registry: where published contracts live, so that a consumer in another
//! workspace (another repository) can type its models against a product it
//! cannot see the SQL of.
//!
//! One trait, [`Registry`], with two backends: a directory ([`DirRegistry`],
//! the default; works in a monorepo and in git) and PostgreSQL
//! ([`PgRegistry`], through tokio-postgres, with a schema meshc creates and
//! migrates). [`open`] picks one from a location: a `postgres://` or
//! `postgresql://` URL, or a directory. A published version is immutable:
//! publishing the same product and version twice succeeds for exactly one
//! caller ([`RegistryError::VersionExists`] for the other), and a killed
//! publish leaves nothing half-written.
//!
//! The registry stores contract text verbatim (every ODCS field, known or not,
//! survives) with its SHA-256; it does not parse contracts.

mod dir;
mod pg;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use dir::DirRegistry;
pub use pg::PgRegistry;

/// `domain.product` at one version.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ProductVersion {
    pub domain: String,
    pub product: String,
    pub version: semver::Version,
}

impl fmt::Display for ProductVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}@{}", self.domain, self.product, self.version)
    }
}

/// One published contract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Published {
    pub id: ProductVersion,
    /// The contract file exactly as published.
    pub content: String,
    /// `sha256:<hex>` of `content`.
    pub hash: String,
}

impl Published {
    pub fn new(id: ProductVersion, content: String) -> Published {
        let hash = content_hash(&content);
        Published { id, content, hash }
    }
}

pub use mesh_syntax::content_hash;

/// Whether the last run of a product passed its error-level quality rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum QualityStatus {
    Valid,
    Invalid { rules: Vec<String> },
}

impl fmt::Display for QualityStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QualityStatus::Valid => f.write_str("VALID"),
            QualityStatus::Invalid { rules } => write!(f, "INVALID ({})", rules.join(", ")),
        }
    }
}

/// Where a consumer uses one column of a product (for impact lists).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ColumnUse {
    /// The column of the product; `*` when the model selects all of them.
    pub column: String,
    /// The consuming model's file, relative to its workspace.
    pub file: String,
    pub line: u32,
}

/// What one consumer domain reads of one product at one version.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Consumption {
    /// The consuming workspace (`name` in its mesh.yaml).
    pub workspace: String,
    pub consumer: String,
    pub product: ProductVersion,
    pub uses: Vec<ColumnUse>,
}

/// Failures of a registry operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegistryError {
    /// This version is already published (with `hash`); versions are immutable.
    VersionExists { id: ProductVersion, hash: String },
    /// The storage failed (IO, connection, SQL), with a message that says what.
    Backend(String),
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegistryError::VersionExists { id, hash } => write!(
                f,
                "{id} is already published (content {hash}); a published version never changes"
            ),
            RegistryError::Backend(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for RegistryError {}

pub type Result<T> = std::result::Result<T, RegistryError>;

/// A store of published contracts. Implementations are safe to use from
/// several processes at once.
pub trait Registry {
    /// Where it is, for messages (`registry/` or `postgres://host:port/db`).
    fn location(&self) -> String;

    /// Publishes one version. Exactly one of two concurrent publishes of the
    /// same version succeeds; the other gets [`RegistryError::VersionExists`].
    fn publish(&self, contract: &Published) -> Result<()>;

    /// Every published version of a product, ascending.
    fn versions(&self, domain: &str, product: &str) -> Result<Vec<semver::Version>>;

    /// One published version, if it exists.
    fn fetch(&self, id: &ProductVersion) -> Result<Option<Published>>;

    /// Every product: (domain, product) with its versions ascending, sorted.
    fn products(&self) -> Result<Vec<(String, String, Vec<semver::Version>)>>;

    /// Replaces what `consumer` of `workspace` reads (one call per lock).
    fn record_consumption(
        &self,
        workspace: &str,
        consumer: &str,
        consumptions: &[Consumption],
    ) -> Result<()>;

    /// Every recorded consumer of any version of a product.
    fn consumers(&self, domain: &str, product: &str) -> Result<Vec<Consumption>>;

    /// Records the quality status of a version after a run.
    fn set_status(&self, id: &ProductVersion, status: &QualityStatus) -> Result<()>;

    fn status(&self, id: &ProductVersion) -> Result<Option<QualityStatus>>;
}

/// The latest published version matching `requirement`.
pub fn resolve(
    registry: &dyn Registry,
    domain: &str,
    product: &str,
    requirement: &semver::VersionReq,
) -> Result<Option<semver::Version>> {
    Ok(registry
        .versions(domain, product)?
        .into_iter()
        .filter(|v| requirement.matches(v))
        .max())
}

/// Opens the registry named by a location: a `postgres://` or `postgresql://`
/// URL connects to PostgreSQL ([`PgRegistry`], migrating its schema; fails
/// with [`RegistryError::Backend`] when the server cannot be reached), anything
/// else is a directory ([`DirRegistry`], created on first publish).
pub fn open(location: &str) -> Result<Box<dyn Registry>> {
    if is_postgres_url(location) {
        Ok(Box::new(PgRegistry::connect(location)?))
    } else {
        Ok(Box::new(DirRegistry::new(location)))
    }
}

/// Whether a registry location names a PostgreSQL database.
pub fn is_postgres_url(location: &str) -> bool {
    location.starts_with("postgres://") || location.starts_with("postgresql://")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_sha256_hex() {
        assert_eq!(
            content_hash(""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
