//! The `meshc` binary.

use clap::Parser;

/// mimalloc: the analysis allocates many small trees on every core.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    meshc::main_with_args(meshc::Cli::parse())
}
