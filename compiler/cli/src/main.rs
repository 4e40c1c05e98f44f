//! The `meshc` binary.

use clap::Parser;

fn main() -> std::process::ExitCode {
    meshc::main_with_args(meshc::Cli::parse())
}
