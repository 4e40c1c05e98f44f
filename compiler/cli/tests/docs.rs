//! Generated documentation stays in sync with the code: `docs/diagnostics.md`
//! from the code table, `docs/functions.md` from the function library.
//! `UPDATE_EXPECT=1 cargo test -p meshc --test docs` regenerates them.

use std::fmt::Write as _;
use std::path::Path;

use mesh_analysis::{Code, FUNCTION_NAMES};

fn docs() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs")
}

#[test]
fn diagnostics_page_is_current() {
    let mut page = String::from(
        "# Diagnostic codes\n\n\
         <!-- Generated from compiler/diagnostics/src/codes.rs by `UPDATE_EXPECT=1 cargo test -p meshc --test docs`. -->\n\n\
         Every diagnostic meshc prints has a stable code, a name, a severity, a primary span, a message and usually help.\n\
         Codes are grouped: `MESH0xxx` syntax and loading, `1xxx` contracts, `2xxx` name resolution, `3xxx` types, `4xxx` dialects, `5xxx` runs.\n\
         A code is never reused.\n\n\
         | code | name | severity |\n|---|---|---|\n",
    );
    for code in Code::ALL {
        let _ = writeln!(
            page,
            "| [{}](#{}) | {} | {} |",
            code.as_str(),
            code.as_str().to_ascii_lowercase(),
            code.name(),
            code.default_severity().as_str()
        );
    }
    for code in Code::ALL {
        let _ = write!(
            page,
            "\n## {}\n\n`{}` ({})\n\n{}\n",
            code.as_str(),
            code.name(),
            code.default_severity().as_str(),
            code.doc()
        );
    }
    expect_test::expect_file![docs().join("diagnostics.md")].assert_eq(&page);
}

#[test]
fn functions_page_is_current() {
    let mut page = String::from(
        "# Function library\n\n\
         <!-- Generated from compiler/sema/src/functions.rs by `UPDATE_EXPECT=1 cargo test -p meshc --test docs`. -->\n\n\
         Mesh SQL accepts these functions; each has a typed signature in `compiler/sema/src/functions.rs`.\n\
         Any other function is reported as MESH3006, because meshc cannot type it or emit it for every target.\n\
         Special forms are also accepted: `CAST`, `TRY_CAST`, `CASE`, `EXTRACT(field FROM x)`, `SUBSTRING(x FROM a FOR b)`, `TRIM(x)`, `POSITION(a IN b)`, `CEIL`, `FLOOR`.\n\n",
    );
    let mut names: Vec<&str> = FUNCTION_NAMES.to_vec();
    names.sort();
    for name in names {
        let _ = writeln!(page, "- `{}`", name.to_ascii_uppercase());
    }
    expect_test::expect_file![docs().join("functions.md")].assert_eq(&page);
}
