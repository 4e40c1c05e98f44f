//! The `meshc` binary.

use clap::Parser;

/// mimalloc: the analysis allocates many small trees on every core.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (mimalloc.h, `mi_option_e`).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> std::process::ExitCode {
    // Keep freed memory for reuse instead of returning it to the OS after a
    // delay: a check frees and reallocates hundreds of MB of syntax trees, and
    // every page given back is zeroed by the kernel again when it is reused.
    // MIMALLOC_PURGE_DELAY in the environment still decides, if set.
    // Long-lived processes (the language server, watch mode) give freed
    // memory back after a second instead, so that a long session stays
    // bounded by what it holds, not by its largest check.
    let cli = meshc::Cli::parse();
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        let delay = match cli.is_long_lived() {
            true => 1000,
            false => -1,
        };
        // SAFETY: called before any other thread exists (parsing the
        // arguments starts none).
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, delay) };
    }
    // Analysis walks syntax trees recursively: run it on a thread with the
    // stack they need (see mesh_syntax::MAX_TREE_DEPTH) rather than the main
    // thread's 8 MiB, so no model needs a stack allocated for it.
    std::thread::scope(|scope| {
        match std::thread::Builder::new()
            .stack_size(mesh_analysis::STACK_BYTES)
            .spawn_scoped(scope, || meshc::main_with_args(cli))
        {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(error) => {
                eprintln!("error: meshc could not start its main thread: {error}");
                std::process::ExitCode::from(2)
            }
        }
    })
}
