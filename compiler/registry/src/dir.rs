//! A registry in a directory (the default): plain files that diff well in git.
//!
//! ```text
//! <root>/products/<domain>/<product>/<version>.yaml   contract text, immutable
//! <root>/status/<domain>/<product>/<version>.json     last quality status
//! <root>/consumers/<workspace>/<consumer>.json        what a consumer domain reads
//! ```
//!
//! A version is written to a temporary file first and then hard-linked to its
//! final name: the link either creates the complete file or fails because the
//! version exists, so concurrent publishes have exactly one winner and a killed
//! publish leaves at most a temporary file (ignored, and removed by the next
//! publish into that directory). Replaced files use write-then-rename.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::{
    Consumption, ProductVersion, Published, QualityStatus, Registry, RegistryError, Result,
};

/// A registry rooted at a directory (created on first publish).
pub struct DirRegistry {
    root: PathBuf,
}

impl DirRegistry {
    pub fn new(root: impl Into<PathBuf>) -> DirRegistry {
        DirRegistry { root: root.into() }
    }

    fn product_dir(&self, domain: &str, product: &str) -> PathBuf {
        self.root.join("products").join(domain).join(product)
    }

    fn version_file(&self, id: &ProductVersion) -> PathBuf {
        self.product_dir(&id.domain, &id.product)
            .join(format!("{}.yaml", id.version))
    }

    fn status_file(&self, id: &ProductVersion) -> PathBuf {
        self.root
            .join("status")
            .join(&id.domain)
            .join(&id.product)
            .join(format!("{}.json", id.version))
    }
}

fn io_error(what: &str, path: &Path, error: io::Error) -> RegistryError {
    RegistryError::Backend(format!("cannot {what} {}: {error}", path.display()))
}

/// A valid path segment: a domain, product or workspace name, never `..`.
/// The PostgreSQL backend accepts the same names, so either can hold any product.
pub(crate) fn segment(name: &str) -> Result<&str> {
    let ok = !name.is_empty()
        && name != "."
        && name != ".."
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.');
    if ok {
        Ok(name)
    } else {
        Err(RegistryError::Backend(format!(
            "`{name}` cannot name a registry entry (letters, digits, `_`, `-`, `.` only)"
        )))
    }
}

/// Writes `content` to a fresh temporary file in `dir` and returns its path.
fn temporary(dir: &Path, content: &[u8]) -> Result<PathBuf> {
    fs::create_dir_all(dir).map_err(|e| io_error("create", dir, e))?;
    // Unique per process (pid) and per call (counter); `create_new` never
    // shares a file with another writer.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let (path, mut file) = loop {
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = dir.join(format!(".tmp-{}-{n}", std::process::id()));
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(file) => break (path, file),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io_error("create", &path, e)),
        }
    };
    file.write_all(content)
        .and_then(|()| file.sync_all())
        .map_err(|e| io_error("write", &path, e))?;
    Ok(path)
}

/// Replaces `path` atomically.
fn replace(path: &Path, content: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = temporary(dir, content)?;
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        io_error("replace", path, e)
    })
}

/// Visible entries of a directory (no temporary files); empty when it is missing.
fn entries(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let read = match fs::read_dir(dir) {
        Ok(read) => read,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_error("read", dir, e)),
    };
    let mut out = Vec::new();
    for entry in read {
        let entry = entry.map_err(|e| io_error("read", dir, e))?;
        if let Some(name) = entry.file_name().to_str()
            && !name.starts_with('.')
        {
            out.push((name.to_string(), entry.path()));
        }
    }
    out.sort();
    Ok(out)
}

/// Removes temporary files left by killed writers (older than a minute).
fn sweep(dir: &Path) {
    let Ok(read) = fs::read_dir(dir) else { return };
    for entry in read.flatten() {
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() > 60);
        if entry.file_name().to_string_lossy().starts_with(".tmp-") && stale {
            let _ = fs::remove_file(entry.path());
        }
    }
}

impl Registry for DirRegistry {
    fn location(&self) -> String {
        self.root.display().to_string()
    }

    fn publish(&self, contract: &Published) -> Result<()> {
        let id = &contract.id;
        let dir = self.product_dir(segment(&id.domain)?, segment(&id.product)?);
        sweep(&dir);
        let target = self.version_file(id);
        let tmp = temporary(&dir, contract.content.as_bytes())?;
        let linked = fs::hard_link(&tmp, &target);
        let _ = fs::remove_file(&tmp);
        match linked {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                let existing = self.fetch(id)?.map(|p| p.hash).unwrap_or_default();
                Err(RegistryError::VersionExists {
                    id: id.clone(),
                    hash: existing,
                })
            }
            Err(e) => Err(io_error("publish", &target, e)),
        }
    }

    fn versions(&self, domain: &str, product: &str) -> Result<Vec<semver::Version>> {
        let mut versions: Vec<semver::Version> =
            entries(&self.product_dir(segment(domain)?, segment(product)?))?
                .into_iter()
                .filter_map(|(name, _)| {
                    name.strip_suffix(".yaml")
                        .and_then(|v| semver::Version::parse(v).ok())
                })
                .collect();
        versions.sort();
        Ok(versions)
    }

    fn fetch(&self, id: &ProductVersion) -> Result<Option<Published>> {
        segment(&id.domain)?;
        segment(&id.product)?;
        let path = self.version_file(id);
        match fs::read_to_string(&path) {
            Ok(content) => Ok(Some(Published::new(id.clone(), content))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_error("read", &path, e)),
        }
    }

    fn products(&self) -> Result<Vec<(String, String, Vec<semver::Version>)>> {
        let mut out = Vec::new();
        // Anything that is not a product directory (a README, a stray name) is skipped.
        let directories = |dir: &Path| -> Result<Vec<(String, PathBuf)>> {
            Ok(entries(dir)?
                .into_iter()
                .filter(|(name, path)| path.is_dir() && segment(name).is_ok())
                .collect())
        };
        for (domain, domain_dir) in directories(&self.root.join("products"))? {
            for (product, _) in directories(&domain_dir)? {
                let versions = self.versions(&domain, &product)?;
                if !versions.is_empty() {
                    out.push((domain.clone(), product, versions));
                }
            }
        }
        Ok(out)
    }

    fn record_consumption(
        &self,
        workspace: &str,
        consumer: &str,
        consumptions: &[Consumption],
    ) -> Result<()> {
        let path = self
            .root
            .join("consumers")
            .join(segment(workspace)?)
            .join(format!("{}.json", segment(consumer)?));
        let json = serde_json::to_vec_pretty(consumptions)
            .map_err(|e| RegistryError::Backend(e.to_string()))?;
        replace(&path, &json)
    }

    fn consumers(&self, domain: &str, product: &str) -> Result<Vec<Consumption>> {
        let mut out = Vec::new();
        for (_, workspace_dir) in entries(&self.root.join("consumers"))? {
            for (name, path) in entries(&workspace_dir)? {
                if !name.ends_with(".json") {
                    continue;
                }
                let text = fs::read_to_string(&path).map_err(|e| io_error("read", &path, e))?;
                let records: Vec<Consumption> = serde_json::from_str(&text).map_err(|e| {
                    RegistryError::Backend(format!("{} is damaged: {e}", path.display()))
                })?;
                out.extend(
                    records
                        .into_iter()
                        .filter(|c| c.product.domain == domain && c.product.product == product),
                );
            }
        }
        out.sort();
        Ok(out)
    }

    fn set_status(&self, id: &ProductVersion, status: &QualityStatus) -> Result<()> {
        segment(&id.domain)?;
        segment(&id.product)?;
        let json =
            serde_json::to_vec_pretty(status).map_err(|e| RegistryError::Backend(e.to_string()))?;
        replace(&self.status_file(id), &json)
    }

    fn status(&self, id: &ProductVersion) -> Result<Option<QualityStatus>> {
        segment(&id.domain)?;
        segment(&id.product)?;
        let path = self.status_file(id);
        match fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| RegistryError::Backend(format!("{} is damaged: {e}", path.display()))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_error("read", &path, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ColumnUse;

    fn id(version: &str) -> ProductVersion {
        ProductVersion {
            domain: "orders".into(),
            product: "stg_orders".into(),
            version: semver::Version::parse(version).expect("valid"),
        }
    }

    #[test]
    fn versions_are_immutable_and_listed_in_order() {
        let dir = tempfile::tempdir().expect("temp dir");
        let registry = DirRegistry::new(dir.path());
        let v1 = Published::new(
            id("1.0.0"),
            "kind: DataContract\nx-extension: kept\n".into(),
        );
        registry.publish(&v1).expect("first publish");
        let again = Published::new(id("1.0.0"), "other".into());
        assert_eq!(
            registry.publish(&again),
            Err(RegistryError::VersionExists {
                id: id("1.0.0"),
                hash: v1.hash.clone()
            })
        );
        registry
            .publish(&Published::new(id("1.10.0"), "b".into()))
            .expect("publish");
        registry
            .publish(&Published::new(id("1.2.0"), "c".into()))
            .expect("publish");
        let versions: Vec<String> = registry
            .versions("orders", "stg_orders")
            .expect("list")
            .iter()
            .map(|v| v.to_string())
            .collect();
        assert_eq!(versions, vec!["1.0.0", "1.2.0", "1.10.0"]);
        assert_eq!(registry.fetch(&id("1.0.0")).expect("read"), Some(v1));
        assert_eq!(registry.fetch(&id("9.0.0")).expect("read"), None);
        let req = semver::VersionReq::parse("^1.1").expect("valid");
        assert_eq!(
            crate::resolve(&registry, "orders", "stg_orders", &req).expect("resolve"),
            Some(semver::Version::new(1, 10, 0))
        );
    }

    #[test]
    fn concurrent_publishes_have_one_winner() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().to_path_buf();
        let outcomes: Vec<Result<()>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|i| {
                    let root = root.clone();
                    scope.spawn(move || {
                        DirRegistry::new(root)
                            .publish(&Published::new(id("2.0.0"), format!("writer {i}")))
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("no panic"))
                .collect()
        });
        assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 1);
        let registry = DirRegistry::new(&root);
        let stored = registry.fetch(&id("2.0.0")).expect("read").expect("exists");
        assert!(stored.content.starts_with("writer "), "complete content");
        let leftovers = fs::read_dir(registry.product_dir("orders", "stg_orders"))
            .expect("dir")
            .count();
        assert_eq!(leftovers, 1, "no temporary files left");
    }

    #[test]
    fn a_killed_publish_leaves_no_version() {
        let dir = tempfile::tempdir().expect("temp dir");
        let registry = DirRegistry::new(dir.path());
        // What a publish killed after writing its temporary file leaves behind.
        let product_dir = registry.product_dir("orders", "stg_orders");
        fs::create_dir_all(&product_dir).expect("mkdir");
        fs::write(product_dir.join(".tmp-1-2"), "half").expect("write");
        assert!(
            registry
                .versions("orders", "stg_orders")
                .expect("list")
                .is_empty()
        );
        assert!(registry.products().expect("list").is_empty());
    }

    #[test]
    fn consumers_and_status() {
        let dir = tempfile::tempdir().expect("temp dir");
        let registry = DirRegistry::new(dir.path());
        let use_ = Consumption {
            workspace: "shop".into(),
            consumer: "insights".into(),
            product: id("1.0.0"),
            uses: vec![ColumnUse {
                column: "order_id".into(),
                file: "insights/models/a.sql".into(),
                line: 3,
            }],
        };
        registry
            .record_consumption("shop", "insights", std::slice::from_ref(&use_))
            .expect("record");
        assert_eq!(
            registry.consumers("orders", "stg_orders").expect("read"),
            vec![use_]
        );
        registry
            .record_consumption("shop", "insights", &[])
            .expect("replace");
        assert!(
            registry
                .consumers("orders", "stg_orders")
                .expect("read")
                .is_empty()
        );
        let invalid = QualityStatus::Invalid {
            rules: vec!["row_count".into()],
        };
        registry.set_status(&id("1.0.0"), &invalid).expect("status");
        assert_eq!(registry.status(&id("1.0.0")).expect("read"), Some(invalid));
        assert!(
            registry
                .publish(&Published::new(
                    ProductVersion {
                        domain: "..".into(),
                        product: "x".into(),
                        version: semver::Version::new(1, 0, 0)
                    },
                    String::new()
                ))
                .is_err()
        );
    }
}
