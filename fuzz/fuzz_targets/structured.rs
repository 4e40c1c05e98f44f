//! The input drives `meshc_fuzz::structured::generate`: deep and wide SQL
//! (in a model or a contract's `type: sql` rule), deep and wide YAML in
//! every kind of file, long lines, chains and fans of models and domains,
//! odd bytes spliced into the files. The generated workspace is checked and
//! planned for every target (see `meshc_fuzz::exercise`).
//! `cargo run --example show -- FILE` prints the workspace an input generates.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let files = meshc_fuzz::structured::generate(data);
    meshc_fuzz::exercise(&files);
});
