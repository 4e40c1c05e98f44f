//! Build script of the engine: it lets binaries find the shared libduckdb at run time.
//!
//! When `DUCKDB_LIB_DIR` is set (by `.cargo/config.toml`, pointing through the
//! `.duckdb` symlink of the clone), the script resolves the real directory and
//! embeds it as an rpath, so tests and the CLI run without `LD_LIBRARY_PATH`.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=DUCKDB_LIB_DIR");
    println!("cargo:rerun-if-changed=build.rs");
    let Some(dir) = std::env::var_os("DUCKDB_LIB_DIR") else {
        return;
    };
    let dir = PathBuf::from(dir);
    // Canonicalizing follows the symlink into the shared cache, which outlives
    // the clone's working tree; fall back to the path as given if it is absent.
    let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
    match dir.to_str() {
        Some(dir) => println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}"),
        None => println!("cargo:warning=DUCKDB_LIB_DIR is not valid UTF-8; no rpath embedded"),
    }
}
