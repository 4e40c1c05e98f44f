//! Build script of the CLI: embeds the libduckdb directory as an rpath (see
//! `compiler/engine/build.rs`, which does the same for the engine's tests).

fn main() {
    println!("cargo:rerun-if-env-changed=DUCKDB_LIB_DIR");
    if let Some(dir) = std::env::var_os("DUCKDB_LIB_DIR") {
        let dir = std::path::PathBuf::from(dir);
        let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
        if let Some(dir) = dir.to_str() {
            println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
        }
    }
}
