//! `mesh.lock`: the exact contract (version and content hash) of every product
//! the workspace's domains consume, so a producer's new version changes nothing
//! for a consumer until the consumer runs `meshc update`.

use std::sync::Arc;

use marked_yaml::Spanned as Marked;
use mesh_diagnostics::{Code, Diagnostic, TextRange};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::yaml::{Positions, deserialize, parse_version};

/// Where a locked product's contract comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LockSource {
    /// A domain of this workspace.
    Workspace,
    /// The registry (another workspace published it).
    Registry,
}

/// One consumed product.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LockEntry {
    /// `domain.product`.
    pub product: String,
    pub version: semver::Version,
    /// `sha256:<hex>` of the contract file.
    pub hash: String,
    pub source: LockSource,
    /// The workspace's domains that read it.
    pub consumers: Vec<String>,
    /// Where the entry is in mesh.lock (empty for a lock not read from a file).
    pub range: TextRange,
}

/// A parsed (or computed) mesh.lock.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct LockFile {
    pub entries: Vec<LockEntry>,
}

impl LockFile {
    pub fn get(&self, product: &str) -> Option<&LockEntry> {
        self.entries.iter().find(|e| e.product == product)
    }

    /// The file text: stable order, one block per product, diff-friendly.
    pub fn render(&self) -> String {
        let mut entries: Vec<&LockEntry> = self.entries.iter().collect();
        entries.sort_by(|a, b| a.product.cmp(&b.product));
        let mut out = String::from(
            "# mesh.lock: the exact contract of every product this workspace consumes.\n\
             # Written by `meshc lock` and `meshc update`; commit it and do not edit it.\n\
             version: 1\nproducts:\n",
        );
        if entries.is_empty() {
            out.truncate(out.len() - 1);
            out.push_str(" []\n");
        }
        for entry in entries {
            let source = match entry.source {
                LockSource::Workspace => "workspace",
                LockSource::Registry => "registry",
            };
            out.push_str(&format!(
                "  - product: {}\n    version: {}\n    hash: {}\n    source: {source}\n    consumers: [{}]\n",
                entry.product,
                entry.version,
                entry.hash,
                entry.consumers.join(", ")
            ));
        }
        out
    }
}

/// `sha256:<hex>` of a contract's text: what mesh.lock pins. The text is
/// hashed as a checkout with LF line endings and no BOM holds it, so a
/// Windows checkout (CRLF, or a BOM an editor added) pins the same hash; text
/// that already is LF without a BOM is hashed byte for byte, as before.
pub fn content_hash(content: &str) -> String {
    let content = content.strip_prefix('\u{feff}').unwrap_or(content);
    let digest = if content.contains('\r') {
        Sha256::digest(content.replace("\r\n", "\n").replace('\r', "\n").as_bytes())
    } else {
        Sha256::digest(content.as_bytes())
    };
    let mut out = String::from("sha256:");
    for byte in digest {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// SHA-256 of a text (or any bytes) byte for byte (what a cache keys on: unlike
/// [`content_hash`], a change of line endings is a change).
pub fn text_digest(text: impl AsRef<[u8]>) -> [u8; 32] {
    Sha256::digest(text.as_ref()).into()
}

/// SHA-256 over a sequence of pieces, each prefixed with its length (so
/// `("ab", "c")` and `("a", "bc")` differ), fed without concatenating them.
pub struct Digester(Sha256);

impl Digester {
    pub fn new() -> Digester {
        Digester(Sha256::new())
    }

    pub fn piece(&mut self, bytes: impl AsRef<[u8]>) {
        let bytes = bytes.as_ref();
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
    }

    pub fn finish(self) -> [u8; 32] {
        self.0.finalize().into()
    }
}

impl Default for Digester {
    fn default() -> Self {
        Digester::new()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLock {
    #[serde(default)]
    version: Option<u32>,
    #[serde(default)]
    products: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    product: Marked<String>,
    version: Marked<String>,
    hash: String,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    consumers: Vec<String>,
}

/// Parses mesh.lock.
pub fn parse_lock(file: &Arc<str>, text: &str) -> (Option<LockFile>, Vec<Diagnostic>) {
    let positions = Positions::new(text);
    let (raw, mut diagnostics) = deserialize::<RawLock>(file, text, &positions, "lock file");
    let Some(raw) = raw else {
        return (None, diagnostics);
    };
    if raw.version.is_some_and(|v| v != 1) {
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidConfig,
                file.clone(),
                TextRange::empty(0),
                "mesh.lock was written by a newer meshc (lock format version is not 1)",
            )
            .with_help("upgrade meshc, or delete mesh.lock and run `meshc lock`"),
        );
        return (None, diagnostics);
    }
    let mut entries = Vec::new();
    for entry in raw.products {
        let product = positions.spanned(&entry.product);
        let Some(version) = parse_version(
            file,
            &positions.spanned(&entry.version),
            "locked version ",
            &mut diagnostics,
        ) else {
            continue;
        };
        let source = match entry.source.as_deref() {
            Some("registry") => LockSource::Registry,
            None | Some("workspace") => LockSource::Workspace,
            Some(other) => {
                diagnostics.push(
                    Diagnostic::new(
                        Code::InvalidConfig,
                        file.clone(),
                        product.range,
                        format!(
                            "mesh.lock: `source: {other}` of {} is neither `workspace` nor `registry`",
                            product.value
                        ),
                    )
                    .with_help("run `meshc lock` to write the lock again"),
                );
                continue;
            }
        };
        entries.push(LockEntry {
            product: product.value,
            version: version.value,
            hash: entry.hash,
            source,
            consumers: entry.consumers,
            range: product.range,
        });
    }
    (Some(LockFile { entries }), diagnostics)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Windows checkout (CRLF, lone CR, a BOM) pins the same hash as the
    /// LF file, and the example's committed lock stays valid.
    #[test]
    fn line_endings_do_not_change_the_hash() {
        let lf = "a: 1\nb: 2\n";
        assert_eq!(content_hash("a: 1\r\nb: 2\r\n"), content_hash(lf));
        assert_eq!(content_hash("a: 1\rb: 2\r"), content_hash(lf));
        assert_eq!(content_hash("\u{feff}a: 1\r\nb: 2\n"), content_hash(lf));
        assert_ne!(content_hash("a: 1\n\nb: 2\n"), content_hash(lf));
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../projects/jaffle_mesh/");
        let lock = std::fs::read_to_string(format!("{root}mesh.lock")).expect("example lock");
        let (lock, diagnostics) = parse_lock(&Arc::from("mesh.lock"), &lock);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let lock = lock.expect("parsed");
        assert!(!lock.entries.is_empty());
        for entry in &lock.entries {
            let (domain, product) = entry.product.split_once('.').expect("domain.product");
            let text = std::fs::read_to_string(format!("{root}{domain}/contracts/{product}.yaml"))
                .expect("contract");
            assert_eq!(content_hash(&text), entry.hash, "{}", entry.product);
            assert_eq!(content_hash(&text.replace('\n', "\r\n")), entry.hash);
        }
    }

    #[test]
    fn round_trips() {
        let lock = LockFile {
            entries: vec![LockEntry {
                product: "orders.stg_orders".into(),
                version: semver::Version::new(1, 2, 0),
                hash: content_hash("x"),
                source: LockSource::Registry,
                consumers: vec!["insights".into(), "sales".into()],
                range: TextRange::empty(0),
            }],
        };
        let text = lock.render();
        let (parsed, diagnostics) = parse_lock(&Arc::from("mesh.lock"), &text);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let parsed = parsed.expect("parsed");
        assert_eq!(parsed.entries[0].version, lock.entries[0].version);
        assert_eq!(parsed.entries[0].source, LockSource::Registry);
        assert_eq!(parsed.entries[0].consumers, lock.entries[0].consumers);
        assert_eq!(parsed.render(), text);
        let typo = text.replace("source: registry", "source: regsitry");
        let (parsed, diagnostics) = parse_lock(&Arc::from("mesh.lock"), &typo);
        assert_eq!(parsed.map(|l| l.entries.len()), Some(0));
        assert!(diagnostics[0].message.contains("`source: regsitry`"));
        let empty = LockFile::default().render();
        assert!(
            parse_lock(&Arc::from("mesh.lock"), &empty).0.is_some(),
            "{empty}"
        );
    }
}
