//! The `meshc` binary.

use clap::Parser;

/// mimalloc: the analysis allocates many small trees on every core.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (mimalloc.h, `mi_option_e`).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> std::process::ExitCode {
    // Keep freed memory for reuse instead of returning it to the OS after
    // 10 ms: a check frees and reallocates hundreds of MB of syntax trees, and
    // every page given back is zeroed by the kernel again when it is reused.
    // And take memory in 2 MiB transparent huge pages where the kernel allows
    // it: one fault per 512 pages, and steadier timings on virtual machines.
    // SAFETY: called before any other thread exists.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1);
        libmimalloc_sys::mi_option_set(libmimalloc_sys::mi_option_large_os_pages, 1);
    }
    meshc::main_with_args(meshc::Cli::parse())
}
