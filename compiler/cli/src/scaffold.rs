//! `meshc init`, `meshc new domain` and `meshc new product`: commented
//! blueprints that teach the workspace format while creating it.

use std::fs;
use std::path::Path;

use crate::session::open_workspace;
use crate::{GlobalArgs, Outcome};

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn refuse_name(what: &str, name: &str) -> Outcome {
    eprintln!(
        "error: `{name}` is not a valid {what} name: use lower-case letters, digits and `_`, starting with a letter"
    );
    Outcome::Usage
}

/// Writes a file only if it does not exist yet (never overwrites work).
fn create(path: &Path, text: &str) -> Result<(), String> {
    if path.exists() {
        return Err(format!(
            "{} already exists; not overwriting it",
            path.display()
        ));
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("created {}", path.display());
    Ok(())
}

fn finish(result: Result<(), String>) -> Outcome {
    match result {
        Ok(()) => Outcome::Success,
        Err(message) => {
            eprintln!("error: {message}");
            Outcome::Usage
        }
    }
}

pub(crate) fn init(path: Option<&Path>, name: Option<&str>) -> Outcome {
    let dir = path
        .map(Path::to_path_buf)
        .unwrap_or_else(|| Path::new(".").to_path_buf());
    let default_name = std::fs::canonicalize(&dir)
        .ok()
        .or_else(|| Some(dir.clone()))
        .and_then(|d| {
            d.file_name()
                .map(|n| n.to_string_lossy().to_ascii_lowercase().replace('-', "_"))
        })
        .unwrap_or_else(|| "mesh".to_string());
    let name = name.map(str::to_string).unwrap_or(default_name);
    if !valid_name(&name) {
        return refuse_name("workspace", &name);
    }
    let mesh = format!(
        "# The workspace of a data mesh. Each domain is a directory listed below.\n\
         # Add one with `meshc new domain NAME`.\n\
         name: {name}\n\
         domains: []\n\
         # targets:\n\
         #   duckdb:\n\
         #     path: target/{name}.duckdb   # the embedded database `meshc run` builds\n"
    );
    finish(
        create(&dir.join("mesh.yaml"), &mesh)
            .and_then(|()| create(&dir.join(".gitignore"), "/target/\n")),
    )
}

pub(crate) fn new_domain(global: &GlobalArgs, name: &str) -> Outcome {
    if !valid_name(name) {
        return refuse_name("domain", name);
    }
    let session = match open_workspace(global) {
        Ok(session) => session,
        Err(outcome) => return outcome,
    };
    let root = &session.root;
    let domain_yaml = format!(
        "# Domain `{name}`: its models are in models/, the products it publishes in contracts/.\n\
         name: {name}                     # must equal the directory name\n\
         owner: {name}-team@example.com   # the team answering for this domain\n\
         version: 0.1.0                   # semver of the domain\n\
         description: What the {name} domain owns and publishes.\n\
         # Domains whose published products this domain reads, with semver requirements:\n\
         dependencies: {{}}\n\
         #   orders: \"^1.0\"\n\
         materialization: view            # default for models: view | table\n\
         # models:                        # per-model settings\n\
         #   my_model:\n\
         #     materialization: table\n"
    );
    let sources = "# Raw inputs of this domain. A model reads a source by its bare name.\n\
         sources: []\n\
         #  - name: raw_things\n\
         #    path: data/raw_things.csv    # relative to this directory; .csv or .parquet\n\
         #    columns:\n\
         #      - { name: id, type: INTEGER, required: true }\n\
         #      - { name: label, type: VARCHAR }\n";
    let result = create(&root.join(name).join("domain.yaml"), &domain_yaml)
        .and_then(|()| create(&root.join(name).join("sources.yaml"), sources))
        .and_then(|()| {
            for sub in ["models", "contracts", "data"] {
                let dir = root.join(name).join(sub);
                fs::create_dir_all(&dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            }
            Ok(())
        })
        .and_then(|()| add_domain_to_mesh(&root.join("mesh.yaml"), name));
    finish(result)
}

/// Adds `name` to the `domains:` list of mesh.yaml, keeping comments.
fn add_domain_to_mesh(path: &Path, name: &str) -> Result<(), String> {
    let text =
        fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let Some(index) = lines.iter().position(|l| l.starts_with("domains:")) else {
        lines.push(format!("domains: [{name}]"));
        return write_lines(path, &lines);
    };
    let value = lines[index]["domains:".len()..]
        .split('#')
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    if value.starts_with('[') && value.ends_with(']') {
        let inner = value.trim_start_matches('[').trim_end_matches(']').trim();
        let mut items: Vec<&str> = inner
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if items.contains(&name) {
            return Ok(());
        }
        items.push(name);
        lines[index] = format!("domains: [{}]", items.join(", "));
    } else {
        let mut end = index + 1;
        while end < lines.len() && lines[end].trim_start().starts_with('-') {
            if lines[end].trim_start().trim_start_matches('-').trim() == name {
                return Ok(());
            }
            end += 1;
        }
        lines.insert(end, format!("  - {name}"));
    }
    write_lines(path, &lines)?;
    println!("added `{name}` to the domains of {}", path.display());
    Ok(())
}

fn write_lines(path: &Path, lines: &[String]) -> Result<(), String> {
    fs::write(path, lines.join("\n") + "\n")
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

pub(crate) fn new_product(global: &GlobalArgs, name: &str, domain: &str) -> Outcome {
    if !valid_name(name) {
        return refuse_name("product", name);
    }
    let session = match open_workspace(global) {
        Ok(session) => session,
        Err(outcome) => return outcome,
    };
    let dir = session.root.join(domain);
    if !dir.join("domain.yaml").is_file() {
        eprintln!(
            "error: there is no domain `{domain}` (no {domain}/domain.yaml); create it with `meshc new domain {domain}`"
        );
        return Outcome::Usage;
    }
    let model = format!(
        "-- The data product `{domain}.{name}`: one SELECT in mesh SQL (no Jinja).\n\
         -- Bare names are models or sources of `{domain}`; another domain's product\n\
         -- is `other_domain.product` (declare the dependency in domain.yaml).\n\
         -- Every computed column needs an alias; integer / integer truncates.\n\
         SELECT\n    1 AS {name}_id,\n    'example' AS label\n"
    );
    let contract = format!(
        "# The published promise of `{domain}.{name}` (an ODCS v3 data contract).\n\
         # Consumers see exactly these columns and types; meshc checks that the\n\
         # model delivers them. Removing or narrowing a column is a breaking change.\n\
         # Versions: breaking change = new major, compatible = new minor\n\
         # (`meshc diff` says which; `meshc publish` enforces it).\n\
         apiVersion: v3.1.0\n\
         kind: DataContract\n\
         id: {domain}.{name}\n\
         name: {name}\n\
         version: 0.1.0\n\
         status: draft\n\
         domain: {domain}\n\
         dataProduct: {name}\n\
         description:\n  purpose: What one row of {name} means and who should use it.\n\
         team:\n  name: {domain}-team\n  members:\n    - username: {domain}-team@example.com\n      role: owner\n\
         schema:\n\
         \x20 - name: {name}              # must equal the file name\n\
         \x20   physicalName: {name}\n\
         \x20   logicalType: object\n\
         \x20   properties:\n\
         \x20     - name: {name}_id\n\
         \x20       logicalType: integer\n\
         \x20       physicalType: INTEGER  # a mesh SQL type; must equal the inferred type\n\
         \x20       required: true         # true: the model must prove it is never NULL\n\
         \x20       unique: true\n\
         \x20       primaryKey: true\n\
         \x20       description: Identifier of one {name}.\n\
         \x20     - name: label\n\
         \x20       logicalType: string\n\
         \x20       physicalType: VARCHAR\n\
         \x20       required: true\n\
         \x20       description: A human-readable label.\n\
         \x20       quality:             # checked after every run and by `meshc test`\n\
         \x20         - name: label_not_null\n\
         \x20           type: library\n\
         \x20           metric: nullValues\n\
         \x20           mustBe: 0\n\
         \x20           severity: error      # error: a failure marks the product INVALID\n\
         # Who may read it besides its own domain (omit: every domain that declares\n\
         # the dependency).\n\
         # customProperties:\n\
         #   - property: meshc.access\n\
         #     value: [other_domain]\n"
    );
    let result = create(&dir.join("models").join(format!("{name}.sql")), &model).and_then(|()| {
        create(
            &dir.join("contracts").join(format!("{name}.yaml")),
            &contract,
        )
    });
    finish(result)
}
