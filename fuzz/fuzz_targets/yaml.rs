//! The input is one YAML file of the tiny workspace of `meshc_fuzz::base`:
//! its first byte chooses which (`meshc_fuzz::YAML_FILES`: mesh.yaml, a
//! domain.yaml, sources.yaml, the published model's contract, the other
//! domain's domain.yaml, mesh.lock), the rest is the file's text. The
//! workspace is checked and planned for every target (`meshc_fuzz::exercise`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(files) = meshc_fuzz::yaml_files(data) {
        meshc_fuzz::exercise(&files);
    }
});
