//! Prints the workspace a fuzz input stands for, in the `.mesh` fixture
//! format of testdata/check (`//- path` before each file), to reproduce a
//! finding with the real `meshc check`:
//!
//!   cargo run --manifest-path fuzz/Cargo.toml --example show -- structured|yaml|model_sql FILE
//!
//! `--split DIR` writes the files under DIR instead (a workspace to run meshc in).

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (target, input, split) = match args.as_slice() {
        [t, i] => (t.as_str(), i.as_str(), None),
        [t, i, flag, dir] if flag == "--split" => (t.as_str(), i.as_str(), Some(dir.as_str())),
        _ => {
            eprintln!("usage: show structured|yaml|model_sql FILE [--split DIR]");
            std::process::exit(2);
        }
    };
    let data = std::fs::read(input).expect("readable input");
    let mut files = match target {
        "structured" => meshc_fuzz::structured::generate(&data),
        "model_sql" => meshc_fuzz::model_sql_files(&data),
        "yaml" => meshc_fuzz::yaml_files(&data).unwrap_or_else(meshc_fuzz::base),
        other => {
            eprintln!("unknown target {other}");
            std::process::exit(2);
        }
    };
    if !files.contains_key("mesh.lock") {
        let lock = meshc_fuzz::host(&files).required_lock().render();
        files.insert("mesh.lock".into(), lock);
    }
    match split {
        Some(dir) => {
            for (path, text) in &files {
                let path = std::path::Path::new(dir).join(path);
                std::fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
                std::fs::write(&path, text).expect("write");
            }
        }
        None => {
            for (path, text) in &files {
                println!("//- {path}");
                print!("{text}");
                if !text.ends_with('\n') {
                    println!();
                }
            }
        }
    }
}
