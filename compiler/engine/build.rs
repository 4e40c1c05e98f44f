//! Build script of the engine: finds the shared libduckdb and lets every
//! binary that links it find it at run time.
//!
//! The library is looked for in `DUCKDB_LIB_DIR` (which `.cargo/config.toml`
//! points at the clone's `.duckdb` symlink), else in the cache
//! `scripts/setup-duckdb.sh` fills (`$MESHC_CACHE`, else
//! `$XDG_CACHE_HOME/meshc` or `~/.cache/meshc`, then `duckdb-<version>/lib`).
//! The fallback is what a fresh clone without the symlink needs, such as the
//! one pre-commit makes to `cargo install` the hooks.
//!
//! The directory found (its real path, so it outlives any one working tree)
//! is embedded as an rpath of this package's test binaries and published to
//! dependents as `DEP_MESH_DUCKDB_LIB_DIR` (the `links` key in Cargo.toml):
//! link arguments apply only to the package that prints them, so a binary
//! crate embeds the same rpath from its own build script. When neither place
//! holds the library, the build stops and says to run the setup script.
//! With the `bundled` feature DuckDB is linked in and nothing is done.

use std::path::{Path, PathBuf};

fn main() {
    for var in ["DUCKDB_LIB_DIR", "MESHC_CACHE", "XDG_CACHE_HOME", "HOME"] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    println!("cargo:rerun-if-changed=build.rs");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let script = manifest.join("../../scripts/setup-duckdb.sh");
    println!("cargo:rerun-if-changed={}", script.display());
    if std::env::var_os("CARGO_FEATURE_BUNDLED").is_some() {
        return;
    }
    let given = std::env::var_os("DUCKDB_LIB_DIR").map(PathBuf::from);
    let cached = cache_dir(&script);
    let found = given
        .iter()
        .chain(cached.iter())
        .find(|dir| has_library(dir))
        .cloned();
    let Some(dir) = found else {
        if let Some(given) = &given {
            // Without DUCKDB_LIB_DIR libduckdb-sys asks pkg-config and the
            // system; with it, it only passes the directory to the linker,
            // which fails later with a message that names neither.
            eprintln!(
                "error: libduckdb not found: DUCKDB_LIB_DIR ({}) holds no libduckdb{}.\n\
                 help: run scripts/setup-duckdb.sh from a clone of meshc (it fetches the official \
                 library into the cache this build also looks in), set DUCKDB_LIB_DIR to a \
                 directory holding libduckdb, or build with `--features mesh-engine/bundled` \
                 (compiles DuckDB, about 40 minutes)",
                given.display(),
                match &cached {
                    Some(cached) => format!(", and neither does {}", cached.display()),
                    None => String::new(),
                }
            );
            std::process::exit(1);
        }
        return;
    };
    // Canonicalizing follows the symlink into the cache.
    let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
    let Some(text) = dir.to_str() else {
        println!("cargo:warning=the libduckdb directory is not valid UTF-8; no rpath embedded");
        return;
    };
    if given.as_deref().is_none_or(|g| !has_library(g)) {
        // libduckdb-sys searched only DUCKDB_LIB_DIR (or nothing): add the cache.
        println!("cargo:rustc-link-search=native={text}");
    }
    println!("cargo:rustc-link-arg=-Wl,-rpath,{text}");
    println!("cargo:lib_dir={text}");
}

fn has_library(dir: &Path) -> bool {
    [
        "libduckdb.so",
        "libduckdb.dylib",
        "duckdb.dll",
        "duckdb.lib",
    ]
    .iter()
    .any(|name| dir.join(name).is_file())
}

/// Where scripts/setup-duckdb.sh puts the library of the version it names.
fn cache_dir(script: &Path) -> Option<PathBuf> {
    let text = std::fs::read_to_string(script).ok()?;
    let version = text.lines().find_map(|line| {
        line.strip_prefix("version=\"")
            .and_then(|rest| rest.split('"').next())
    })?;
    let env = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let root = env("MESHC_CACHE")
        .or_else(|| env("XDG_CACHE_HOME").map(|d| d.join("meshc")))
        .or_else(|| env("HOME").map(|d| d.join(".cache/meshc")))?;
    Some(root.join(format!("duckdb-{version}")).join("lib"))
}
