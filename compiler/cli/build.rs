//! Build script of the CLI (also of the root package that pre-commit
//! installs): embeds the libduckdb directory the engine's build script found
//! (`DEP_MESH_DUCKDB_LIB_DIR`, see `compiler/engine/build.rs`) as an rpath,
//! so `meshc` runs without `LD_LIBRARY_PATH`.

fn main() {
    println!("cargo:rerun-if-env-changed=DEP_MESH_DUCKDB_LIB_DIR");
    if let Some(dir) = std::env::var_os("DEP_MESH_DUCKDB_LIB_DIR")
        && let Some(dir) = dir.to_str()
    {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
}
