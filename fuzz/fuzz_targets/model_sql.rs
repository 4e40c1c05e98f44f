//! The input is the text of one model, `orders/models/m.sql`, in the tiny
//! workspace of `meshc_fuzz::base` (read by a model of its domain and, through
//! its contract, by another domain). The whole analysis runs on it: check,
//! then check_and_emit and plan for every target, then the same edit on a
//! host that had checked the base workspace (see `meshc_fuzz::exercise`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    meshc_fuzz::exercise_with_edit(&meshc_fuzz::model_sql_files(data));
});
