//! Build script of the engine: it lets its test binaries find the shared
//! libduckdb at run time.
//!
//! When `DUCKDB_LIB_DIR` is set (by `.cargo/config.toml`, pointing through the
//! `.duckdb` symlink of the clone), the script resolves the real directory in
//! the shared cache and embeds it as an rpath, so the tests run without
//! `LD_LIBRARY_PATH`. Cargo applies such link arguments only to this package's
//! own targets; a binary crate depending on the engine needs the same lines in
//! its own build script. With the `bundled` feature DuckDB is linked in and
//! nothing is emitted.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=DUCKDB_LIB_DIR");
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var_os("CARGO_FEATURE_BUNDLED").is_some() {
        return;
    }
    let Some(dir) = std::env::var_os("DUCKDB_LIB_DIR") else {
        return;
    };
    let dir = PathBuf::from(dir);
    // Canonicalizing follows the symlink into the cache, which outlives any one
    // working tree; if the directory is missing, keep the path as given.
    let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
    match dir.to_str() {
        Some(dir) => println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}"),
        None => println!("cargo:warning=DUCKDB_LIB_DIR is not valid UTF-8; no rpath embedded"),
    }
}
