//! The mesh commands: `lock`, `update`, `diff`, `publish` and `products`.
//! Contracts are the interface between domains; these commands move them
//! through the registry and prove that a change breaks no consumer.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use mesh_analysis::{
    Code, Contract, ContractChange, Diagnostic, Impact, LockFile, check_bump, diff_contracts,
    external_contract_path, parse_external_contract, required_bump,
};
use mesh_registry::{Consumption, ProductVersion, Published, Registry, RegistryError};

use crate::report::{Found, ReportFormat};
use crate::session::{Session, open_workspace};
use crate::{GlobalArgs, Outcome};

/// Resolves every product of the domains the workspace depends on but does
/// not contain, from the registry: the locked version while it still
/// satisfies every requirement (unless the domain is being updated), else the
/// newest version that does. Returns (product, version) pairs loaded into the host.
fn resolve_external(
    session: &mut Session,
    registry: &dyn Registry,
    update: Option<&[String]>,
) -> Result<Vec<(String, semver::Version)>, String> {
    let mut requirements: BTreeMap<String, Vec<semver::VersionReq>> = BTreeMap::new();
    for dependency in session.host.external_dependencies() {
        requirements
            .entry(dependency.domain)
            .or_default()
            .push(dependency.requirement);
    }
    if let Some(wanted) = update {
        for domain in wanted {
            if !requirements.contains_key(domain) {
                let known: Vec<&str> = requirements.keys().map(String::as_str).collect();
                return Err(format!(
                    "`{domain}` is not a domain this workspace reads from the registry (those are: {})",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ));
            }
        }
    }
    if requirements.is_empty() {
        return Ok(Vec::new());
    }
    let locked = session.host.written_lock().unwrap_or_default();
    let products = registry.products().map_err(|e| e.to_string())?;
    let mut change = mesh_analysis::Change::default();
    let mut resolved = Vec::new();
    for (domain, requirements) in &requirements {
        let updating = update.is_some_and(|u| u.is_empty() || u.contains(domain));
        let of_domain: Vec<_> = products.iter().filter(|(d, _, _)| d == domain).collect();
        if of_domain.is_empty() {
            session.progress(&format!(
                "warning: the registry at {} has no product of domain `{domain}`",
                registry.location()
            ));
        }
        for (_, product, versions) in of_domain {
            let id = format!("{domain}.{product}");
            let fits = |v: &semver::Version| requirements.iter().all(|r| r.matches(v));
            let keep = locked
                .get(&id)
                .filter(|e| !updating && fits(&e.version) && versions.contains(&e.version))
                .map(|e| e.version.clone());
            let Some(version) = keep.or_else(|| versions.iter().filter(|v| fits(v)).max().cloned())
            else {
                continue;
            };
            let pv = ProductVersion {
                domain: domain.clone(),
                product: product.clone(),
                version: version.clone(),
            };
            let published = registry
                .fetch(&pv)
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("{pv} vanished from the registry"))?;
            change.set_file(external_contract_path(domain, product), published.content);
            resolved.push((id, version));
        }
    }
    session.host.apply_change(change);
    Ok(resolved)
}

/// Records in the registry what each consuming domain of this workspace reads.
fn record_consumption(
    session: &Session,
    registry: &dyn Registry,
    lock: &LockFile,
    before: Option<&LockFile>,
) {
    let workspace = session
        .host
        .workspace_name()
        .unwrap_or_else(|| "workspace".to_string());
    let uses = session.host.product_uses();
    let mut by_consumer: BTreeMap<String, Vec<Consumption>> = BTreeMap::new();
    for entry in &lock.entries {
        let Some((domain, product)) = entry.product.split_once('.') else {
            continue;
        };
        for consumer in &entry.consumers {
            let columns = uses
                .iter()
                .filter(|u| u.product == entry.product && &u.consumer == consumer)
                .map(|u| mesh_registry::ColumnUse {
                    column: u.column.clone(),
                    file: u.file.clone(),
                    line: u.line,
                })
                .collect();
            by_consumer
                .entry(consumer.clone())
                .or_default()
                .push(Consumption {
                    workspace: workspace.clone(),
                    consumer: consumer.clone(),
                    product: ProductVersion {
                        domain: domain.to_string(),
                        product: product.to_string(),
                        version: entry.version.clone(),
                    },
                    uses: columns,
                });
        }
    }
    // A domain that no longer reads anything gets its records cleared.
    for entry in before.map(|b| b.entries.as_slice()).unwrap_or_default() {
        for consumer in &entry.consumers {
            by_consumer.entry(consumer.clone()).or_default();
        }
    }
    for (consumer, records) in by_consumer {
        if let Err(error) = registry.record_consumption(&workspace, &consumer, &records) {
            session.progress(&format!(
                "warning: could not record the consumers of `{consumer}` in the registry: {error}"
            ));
        }
    }
}

fn registry_or_usage(session: &Session) -> Result<Box<dyn Registry>, Outcome> {
    session.registry().map_err(|message| {
        eprintln!("error: {message}");
        Outcome::Usage
    })
}

fn lock_lines(before: Option<&LockFile>, after: &LockFile) -> Vec<String> {
    let mut lines = Vec::new();
    for entry in &after.entries {
        let old = before.and_then(|b| b.get(&entry.product));
        let line = match old {
            None => format!("  locked {} {}", entry.product, entry.version),
            Some(o) if o.version != entry.version => {
                format!(
                    "  updated {} {} -> {}",
                    entry.product, o.version, entry.version
                )
            }
            Some(o) if o.hash != entry.hash => {
                format!(
                    "  relocked {} {} (contract changed)",
                    entry.product, entry.version
                )
            }
            Some(_) => continue,
        };
        lines.push(line);
    }
    if let Some(before) = before {
        for entry in &before.entries {
            if after.get(&entry.product).is_none() {
                lines.push(format!("  dropped {} (no longer read)", entry.product));
            }
        }
    }
    lines
}

/// `meshc lock` and `meshc update`.
pub(crate) fn lock(global: &GlobalArgs, locked: bool, update: Option<&[String]>) -> Outcome {
    let mut session = match open_workspace(global) {
        Ok(session) => session,
        Err(outcome) => return outcome,
    };
    let needs_registry = !session.host.external_dependencies().is_empty();
    if let Some(domains) = update
        && !domains.is_empty()
        && !needs_registry
    {
        eprintln!(
            "error: this workspace reads no domain from the registry, so there is nothing to update for {}",
            domains.join(", ")
        );
        return Outcome::Usage;
    }
    let registry = if needs_registry {
        match registry_or_usage(&session) {
            Ok(registry) => Some(registry),
            Err(outcome) => return outcome,
        }
    } else {
        None
    };
    if let Some(registry) = &registry
        && let Err(message) = resolve_external(&mut session, registry.as_ref(), update)
    {
        eprintln!("error: cannot resolve products from the registry: {message}");
        return Outcome::Usage;
    }
    // A lock without a contract's real version would pin nothing (it wrote
    // `version: 0.0.0` before): show why and write nothing.
    let blockers = session.host.lock_blockers();
    if !blockers.is_empty() {
        session.print_diagnostics(&blockers, crate::DiagnosticFormat::Human);
        eprintln!(
            "error: mesh.lock cannot be written while a consumed product's contract does not parse or has no version; fix it and run `meshc lock` again"
        );
        return Outcome::Failure;
    }
    let before = session.host.written_lock();
    let lock = session.host.required_lock();
    let text = lock.render();
    let path = session.root.join("mesh.lock");
    let current = std::fs::read_to_string(&path).ok();
    let lines = lock_lines(before.as_ref(), &lock);
    if locked {
        if current
            .as_deref()
            .map(|c| c.replace("\r\n", "\n"))
            .as_deref()
            == Some(text.as_str())
        {
            session.progress("mesh.lock is up to date");
            return Outcome::Success;
        }
        eprintln!("error: mesh.lock needs to change, but --locked was given:");
        for line in &lines {
            eprintln!("{line}");
        }
        if current.is_none() {
            eprintln!("  (there is no mesh.lock)");
        }
        eprintln!("help: run `meshc lock` (or `meshc update`) and commit mesh.lock");
        return Outcome::Failure;
    }
    if current.as_deref() != Some(text.as_str())
        && let Err(error) = crate::build::write_atomically(&path, text.as_bytes())
    {
        eprintln!("error: {error}");
        return Outcome::Usage;
    }
    for line in &lines {
        session.progress(line);
    }
    session.progress(&format!(
        "mesh.lock: {} product{} consumed",
        lock.entries.len(),
        if lock.entries.len() == 1 { "" } else { "s" }
    ));
    // Reload so the check below sees the lock just written.
    let mut change = mesh_analysis::Change::default();
    change.set_file("mesh.lock", text);
    session.host.apply_change(change);
    let record_in = match registry {
        Some(registry) => Some(registry),
        None if std::path::Path::new(&session.registry_location()).exists() => {
            session.registry().ok()
        }
        None => None,
    };
    if let Some(registry) = &record_in {
        record_consumption(&session, registry.as_ref(), &lock, before.as_ref());
    }
    if update.is_some() {
        // After an update, show what the new versions break, like `meshc check`.
        let errors = session.check_and_print(crate::DiagnosticFormat::Human, None);
        if errors > 0 {
            eprintln!(
                "{errors} error{} after the update: fix the consumers, or pin the previous version in domain.yaml",
                if errors == 1 { "" } else { "s" }
            );
            return Outcome::Failure;
        }
    }
    Outcome::Success
}

/// The last published version of a contract and its text.
fn base_from_registry(
    registry: &dyn Registry,
    domain: &str,
    product: &str,
) -> Result<Option<Published>, RegistryError> {
    let versions = registry.versions(domain, product)?;
    let Some(latest) = versions.last() else {
        return Ok(None);
    };
    registry.fetch(&ProductVersion {
        domain: domain.to_string(),
        product: product.to_string(),
        version: latest.clone(),
    })
}

/// The contract file as of a git revision.
fn base_from_git(session: &Session, revision: &str, path: &str) -> Result<Option<String>, String> {
    if revision.is_empty() || revision.starts_with('-') {
        return Err(format!("`{revision}` is not a git revision"));
    }
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(&session.root)
        .env("LC_ALL", "C")
        .arg("show")
        .arg(format!("{revision}:./{path}"))
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if output.status.success() {
        return Ok(Some(String::from_utf8_lossy(&output.stdout).into_owned()));
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    if stderr.contains("does not exist") || stderr.contains("exists on disk, but not in") {
        Ok(None)
    } else {
        Err(stderr.trim().to_string())
    }
}

/// One consumer that a change affects.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Affected {
    /// `breaks` (a column change) or `affects` (the whole product).
    verb: &'static str,
    consumer: String,
    /// The model file, relative to its workspace, and the 1-based line.
    file: String,
    line: u32,
    /// `domain.product.column`, or `reads domain.product`.
    what: String,
    /// (workspace, version read) of a consumer another workspace recorded in
    /// the registry; `None` for one of this workspace.
    elsewhere: Option<(String, semver::Version)>,
}

impl Affected {
    /// The line `meshc diff` prints under the change.
    fn text(&self) -> String {
        match &self.elsewhere {
            None => format!(
                "{} {}  {}:{}  ({})",
                self.verb, self.consumer, self.file, self.line, self.what
            ),
            Some((workspace, version)) => format!(
                "{} {}  {}:{}  ({}, workspace `{workspace}`, on {version})",
                self.verb, self.consumer, self.file, self.line, self.what
            ),
        }
    }
}

/// Who is affected by one change, from this workspace and from the
/// registry's records of other workspaces, sorted as printed.
fn affected(
    change: &ContractChange,
    product: &str,
    old: &Contract,
    new: &Contract,
    workspace: &[(String, String, u32, String)],
    recorded: &[Consumption],
) -> Vec<Affected> {
    // An access change affects only the domains that can no longer read it.
    let access_change = change.column.is_none() && change.message.starts_with("access");
    let allowed = |contract: &Contract, consumer: &str| {
        contract
            .access
            .as_ref()
            .is_none_or(|a| a.value.iter().any(|d| d == consumer))
    };
    let relevant = |consumer: &str, column: &str| {
        if access_change {
            return allowed(old, consumer) && !allowed(new, consumer);
        }
        match &change.column {
            Some(c) => c.eq_ignore_ascii_case(column),
            None => true,
        }
    };
    // A column change names the column; a product-level change names the file once.
    let what = |column: &str| match &change.column {
        Some(_) => format!("{product}.{column}"),
        None => format!("reads {product}"),
    };
    let verb = if change.column.is_some() {
        "breaks"
    } else {
        "affects"
    };
    let mut found = BTreeMap::new();
    let mut add = |affected: Affected| {
        found.entry(affected.text()).or_insert(affected);
    };
    for (consumer, file, line, column) in workspace {
        if relevant(consumer, column) {
            add(Affected {
                verb,
                consumer: consumer.clone(),
                file: file.clone(),
                line: *line,
                what: what(column),
                elsewhere: None,
            });
        }
    }
    for record in recorded {
        for used in &record.uses {
            if relevant(&record.consumer, &used.column) {
                add(Affected {
                    verb,
                    consumer: record.consumer.clone(),
                    file: used.file.clone(),
                    line: used.line,
                    what: what(&used.column),
                    elsewhere: Some((record.workspace.clone(), record.product.version.clone())),
                });
            }
        }
    }
    found.into_values().collect()
}

/// The comparison of one workspace contract with its base.
struct ProductDiff {
    id: String,
    base_version: Option<semver::Version>,
    version: Option<semver::Version>,
    changes: Vec<ContractChange>,
    verdict: Result<(), String>,
}

/// What `meshc diff` found in one workspace: the report people read, and
/// every refused version step as a diagnostic for the other formats.
struct WorkspaceDiff {
    text: String,
    diagnostics: Vec<Diagnostic>,
}

/// `meshc diff`: every contract against its last published version (or a
/// git revision), in each workspace the paths name.
pub(crate) fn diff(
    global: &GlobalArgs,
    against: &str,
    paths: &[PathBuf],
    format: ReportFormat,
    locked: bool,
) -> Outcome {
    let sessions = match crate::check::sessions(global, paths) {
        Ok(sessions) => sessions,
        Err(outcome) => return outcome,
    };
    if sessions.is_empty() {
        crate::report::print_empty(format);
        return Outcome::Success;
    }
    let mut found = Vec::new();
    for session in &sessions {
        let mut result = match diff_workspace(session, against) {
            Ok(result) => result,
            Err(outcome) => return outcome,
        };
        if locked {
            result.diagnostics.extend(session.host.lock_diagnostics());
        }
        found.push((session, result));
    }
    let failed = found
        .iter()
        .any(|(_, r)| r.diagnostics.iter().any(Diagnostic::is_error));
    if format == ReportFormat::Human {
        for (session, result) in &found {
            if sessions.len() > 1 {
                println!("workspace {}:", crate::report::display_path(&session.root));
            }
            print!("{}", result.text);
            if locked {
                let lock: Vec<Diagnostic> = result
                    .diagnostics
                    .iter()
                    .filter(|d| d.code != Code::VersionStep)
                    .cloned()
                    .collect();
                if lock.is_empty() {
                    session.progress("mesh.lock is up to date");
                } else {
                    session.print_diagnostics(&lock, crate::DiagnosticFormat::Human);
                }
            }
        }
    } else {
        let found: Vec<Found<'_>> = found
            .into_iter()
            .map(|(session, result)| Found {
                session,
                diagnostics: result.diagnostics,
            })
            .collect();
        crate::report::print(format, &found);
    }
    if failed {
        Outcome::Failure
    } else {
        Outcome::Success
    }
}

/// Whether `revision` names a commit in the git repository holding `root`.
fn git_commit_exists(root: &std::path::Path, revision: &str) -> bool {
    std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["rev-parse", "--verify", "--quiet"])
        .arg(format!("{revision}^{{commit}}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

fn diff_workspace(session: &Session, against: &str) -> Result<WorkspaceDiff, Outcome> {
    let git_revision = against
        .strip_prefix("git:")
        .map(str::to_string)
        .or_else(|| (against != "registry").then(|| against.to_string()));
    let registry = match &git_revision {
        None => Some(registry_or_usage(session)?),
        // Other workspaces' consumers are still worth listing when there is a registry.
        Some(_) => session.registry().ok(),
    };
    // Before the first commit (a pre-commit hook on a new repository) HEAD
    // names nothing, and every contract is new.
    let unborn_head = git_revision
        .as_deref()
        .is_some_and(|rev| rev == "HEAD" && !git_commit_exists(&session.root, rev));
    let workspace_name = session.host.workspace_name().unwrap_or_default();
    let uses = session.host.product_uses();
    let mut out = String::new();
    let mut diagnostics = Vec::new();
    for contract in session.host.contracts() {
        let Some(new) = &contract.contract else {
            continue;
        };
        let id = format!("{}.{}", contract.domain, contract.product);
        let base_text = match &git_revision {
            Some(_) if unborn_head => None,
            Some(revision) => match base_from_git(session, revision, &contract.path) {
                Ok(text) => text,
                Err(message) => {
                    eprintln!(
                        "error: cannot read {} at {revision}: {message}",
                        contract.path
                    );
                    return Err(Outcome::Usage);
                }
            },
            None => match registry
                .as_deref()
                .map(|r| base_from_registry(r, &contract.domain, &contract.product))
            {
                Some(Ok(published)) => published.map(|p| p.content),
                Some(Err(error)) => {
                    eprintln!("error: {error}");
                    return Err(Outcome::Usage);
                }
                None => None,
            },
        };
        let version = new.version.as_ref().map(|v| v.value.clone());
        // Where a refused version step points: the contract's `version`.
        let version_range = new.version.as_ref().map_or(new.range, |v| v.range);
        let Some(base_text) = base_text else {
            out.push_str(&format!(
                "{id} {}: new product, never published\n",
                version.map(|v| v.to_string()).unwrap_or_default()
            ));
            continue;
        };
        let Some(old) = parse_external_contract(&contract.path, &base_text) else {
            let why =
                "the published contract does not parse, so the version step cannot be checked";
            out.push_str(&format!("{id}: error: {why}\n"));
            diagnostics.push(Diagnostic::new(
                Code::VersionStep,
                contract.path.as_str().into(),
                version_range,
                format!("{id}: {why}"),
            ));
            continue;
        };
        let changes = diff_contracts(&old, new);
        let base_version = old.version.as_ref().map(|v| v.value.clone());
        let text_changed =
            mesh_analysis::content_hash(&base_text) != mesh_analysis::content_hash(&contract.text);
        let verdict = match (&base_version, &version) {
            (Some(b), Some(v)) if changes.is_empty() && text_changed && b == v => Err(format!(
                "the contract text changed but its version is still {v}: a published version never changes, so give it a new version"
            )),
            _ if changes.is_empty() => Ok(()),
            (Some(b), Some(v)) => check_bump(b, v, required_bump(&changes)),
            _ => Err("the contract has no version".to_string()),
        };
        let diff = ProductDiff {
            id: id.clone(),
            base_version,
            version,
            changes,
            verdict,
        };
        let workspace_uses: Vec<(String, String, u32, String)> = uses
            .iter()
            .filter(|u| u.product == id)
            .map(|u| (u.consumer.clone(), u.file.clone(), u.line, u.column.clone()))
            .collect();
        let recorded: Vec<Consumption> = registry
            .as_deref()
            .and_then(|r| r.consumers(&contract.domain, &contract.product).ok())
            .unwrap_or_default()
            .into_iter()
            .filter(|c| c.workspace != workspace_name)
            .collect();
        let affected: Vec<Vec<Affected>> = diff
            .changes
            .iter()
            .map(|change| match change.impact {
                Impact::Breaking => affected(change, &id, &old, new, &workspace_uses, &recorded),
                _ => Vec::new(),
            })
            .collect();
        out.push_str(&render_diff(&diff, &affected));
        if let Err(why) = &diff.verdict {
            diagnostics.push(version_step_diagnostic(
                session,
                &contract.path,
                version_range,
                &diff,
                why,
                &affected,
            ));
        }
    }
    if out.is_empty() {
        out.push_str("no contracts\n");
    }
    Ok(WorkspaceDiff {
        text: out,
        diagnostics,
    })
}

/// MESH1010 on the contract's `version`: the refused step, every change, and
/// the consumers each breaking one breaks (on one line, for hooks; the
/// consumers in this workspace are also labels).
fn version_step_diagnostic(
    session: &Session,
    path: &str,
    range: mesh_analysis::TextRange,
    diff: &ProductDiff,
    why: &str,
    affected: &[Vec<Affected>],
) -> Diagnostic {
    let mut message = format!(
        "{} {} -> {}: {why}",
        diff.id,
        show_version(&diff.base_version),
        show_version(&diff.version)
    );
    let mut labels = Vec::new();
    for (change, affected) in diff.changes.iter().zip(affected) {
        message.push_str(&format!(
            "; {}: {}",
            impact_name(change.impact),
            change.message
        ));
        // Each consumer once, with every place it reads the change.
        let mut consumers: Vec<(String, Vec<String>)> = Vec::new();
        for a in affected {
            let (name, place) = match &a.elsewhere {
                None => {
                    let reads = match a.what.strip_prefix("reads ") {
                        Some(product) => product,
                        None => &a.what,
                    };
                    labels.push(mesh_diagnostics::Label {
                        file: a.file.as_str().into(),
                        range: line_range(session, &a.file, a.line),
                        message: format!("{} {}: reads {reads}", a.verb, a.consumer),
                    });
                    let path = crate::report::display_path(&session.root.join(&a.file));
                    (a.consumer.clone(), format!("{path}:{}", a.line))
                }
                Some((workspace, version)) => (
                    format!("{} (workspace `{workspace}`, on {version})", a.consumer),
                    format!("{}:{}", a.file, a.line),
                ),
            };
            match consumers.iter_mut().find(|(n, _)| *n == name) {
                Some((_, places)) => places.push(place),
                None => consumers.push((name, vec![place])),
            }
        }
        if let Some(first) = affected.first() {
            let list: Vec<String> = consumers
                .iter()
                .map(|(name, places)| format!("{name} at {}", places.join(", ")))
                .collect();
            message.push_str(&format!(", which {} {}", first.verb, list.join(" and ")));
        }
    }
    let mut diagnostic = Diagnostic::new(Code::VersionStep, path.into(), range, message).with_help(
        "bump `version` as the message says (and tell the consumers), or undo the change; `meshc diff` shows every change and consumer",
    );
    diagnostic.labels = labels;
    diagnostic
}

/// The text of a 1-based line of a workspace file, without its indentation.
fn line_range(session: &Session, file: &str, line: u32) -> mesh_analysis::TextRange {
    let Some(text) = session.host.file_text(file) else {
        return mesh_analysis::TextRange::empty(0);
    };
    let start = mesh_analysis::LineIndex::new(text).offset(text, u64::from(line), 1) as usize;
    let rest = text.get(start..).unwrap_or_default();
    let end = start + rest.find('\n').unwrap_or(rest.len());
    let indent = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    mesh_analysis::TextRange::new((start + indent).min(end) as u32, end as u32)
}

fn impact_name(impact: Impact) -> &'static str {
    match impact {
        Impact::Breaking => "breaking",
        Impact::Compatible => "compatible",
        Impact::Docs => "docs",
    }
}

fn show_version(v: &Option<semver::Version>) -> String {
    v.as_ref()
        .map(|v| v.to_string())
        .unwrap_or_else(|| "?".to_string())
}

fn render_diff(diff: &ProductDiff, affected: &[Vec<Affected>]) -> String {
    let show = show_version;
    if let (true, Err(why)) = (diff.changes.is_empty(), &diff.verdict) {
        return format!(
            "{} {} -> {}\n  docs       only fields meshc does not compare changed\n  error: {why}\n",
            diff.id,
            show(&diff.base_version),
            show(&diff.version)
        );
    }
    if diff.changes.is_empty() {
        return format!(
            "{} {}: unchanged since {}\n",
            diff.id,
            show(&diff.version),
            show(&diff.base_version)
        );
    }
    let mut out = format!(
        "{} {} -> {}\n",
        diff.id,
        show(&diff.base_version),
        show(&diff.version)
    );
    for (change, affected) in diff.changes.iter().zip(affected) {
        let tag = match change.impact {
            Impact::Breaking => impact_name(change.impact).to_ascii_uppercase(),
            _ => impact_name(change.impact).to_string(),
        };
        out.push_str(&format!("  {tag:<10} {}\n", change.message));
        if change.impact == Impact::Breaking {
            if affected.is_empty() {
                out.push_str("             no known consumer reads it\n");
            }
            for a in affected {
                out.push_str(&format!("             {}\n", a.text()));
            }
        }
    }
    match &diff.verdict {
        Ok(()) => out.push_str(&format!(
            "  ok: {} is a large enough version step\n",
            show(&diff.version)
        )),
        Err(why) => out.push_str(&format!("  error: {why}\n")),
    }
    out
}

/// `meshc publish`: puts contracts into the registry after proving the
/// version step is right.
pub(crate) fn publish(global: &GlobalArgs, only: &[String], dry_run: bool) -> Outcome {
    let session = match open_workspace(global) {
        Ok(session) => session,
        Err(outcome) => return outcome,
    };
    if session.check_and_print(crate::DiagnosticFormat::Human, None) > 0 {
        eprintln!("error: nothing published: the workspace has errors (see `meshc check`)");
        return Outcome::Failure;
    }
    let registry = match registry_or_usage(&session) {
        Ok(registry) => registry,
        Err(outcome) => return outcome,
    };
    let mut refused = 0;
    let contracts = session.host.contracts();
    for selector in only {
        if !contracts
            .iter()
            .any(|c| format!("{}.{}", c.domain, c.product) == *selector || c.domain == *selector)
        {
            eprintln!(
                "error: no contract `{selector}` in this workspace (write DOMAIN or DOMAIN.PRODUCT)"
            );
            return Outcome::Usage;
        }
    }
    for contract in contracts {
        let id = format!("{}.{}", contract.domain, contract.product);
        if !only.is_empty() && !only.iter().any(|s| *s == id || *s == contract.domain) {
            continue;
        }
        let Some(parsed) = &contract.contract else {
            continue;
        };
        let Some(version) = parsed.version.as_ref().map(|v| v.value.clone()) else {
            eprintln!("refused {id}: the contract has no `version`");
            refused += 1;
            continue;
        };
        let pv = ProductVersion {
            domain: contract.domain.clone(),
            product: contract.product.clone(),
            version: version.clone(),
        };
        let published = Published::new(pv.clone(), contract.text.clone());
        let versions = match registry.versions(&contract.domain, &contract.product) {
            Ok(versions) => versions,
            Err(error) => {
                eprintln!("error: {error}");
                return Outcome::Usage;
            }
        };
        if versions.contains(&version) {
            match registry.fetch(&pv) {
                Ok(Some(existing)) if existing.hash == published.hash => {
                    session.progress(&format!("unchanged {pv} (already published)"));
                }
                Ok(_) => {
                    eprintln!(
                        "refused {pv}: this version is already published with other content; a published version never changes\nhelp: bump `version` in {} (see `meshc diff` for the step it needs)",
                        contract.path
                    );
                    refused += 1;
                }
                Err(error) => {
                    eprintln!("error: {error}");
                    return Outcome::Usage;
                }
            }
            continue;
        }
        if let Some(latest) = versions.last() {
            let base =
                match base_from_registry(registry.as_ref(), &contract.domain, &contract.product) {
                    Ok(Some(base)) => base,
                    Ok(None) => {
                        eprintln!("refused {pv}: the registry lists {latest} but cannot return it");
                        refused += 1;
                        continue;
                    }
                    Err(error) => {
                        eprintln!("error: {error}");
                        return Outcome::Usage;
                    }
                };
            let Some(old) = parse_external_contract(&contract.path, &base.content) else {
                eprintln!(
                    "refused {pv}: the published {latest} does not parse, so the version step cannot be checked"
                );
                refused += 1;
                continue;
            };
            let changes = diff_contracts(&old, parsed);
            if let Err(why) = check_bump(latest, &version, required_bump(&changes)) {
                eprintln!("refused {pv}: {why}");
                for change in changes.iter().filter(|c| c.impact >= Impact::Compatible) {
                    eprintln!("  {}: {}", impact_name(change.impact), change.message);
                }
                eprintln!("help: run `meshc diff` to see the consumers each change affects");
                refused += 1;
                continue;
            }
        }
        if dry_run {
            session.progress(&format!("would publish {pv}"));
            continue;
        }
        match registry.publish(&published) {
            Ok(()) => session.progress(&format!("published {pv} to {}", registry.location())),
            Err(error) => {
                eprintln!("refused {pv}: {error}");
                refused += 1;
            }
        }
    }
    if refused > 0 {
        Outcome::Failure
    } else {
        Outcome::Success
    }
}

/// `meshc products`: what the registry offers.
pub(crate) fn products(global: &GlobalArgs, domain: Option<&str>, search: Option<&str>) -> Outcome {
    let session = match open_workspace(global) {
        Ok(session) => session,
        Err(outcome) => return outcome,
    };
    let registry = match registry_or_usage(&session) {
        Ok(registry) => registry,
        Err(outcome) => return outcome,
    };
    let products = match registry.products() {
        Ok(products) => products,
        Err(error) => {
            eprintln!("error: {error}");
            return Outcome::Usage;
        }
    };
    let needle = search.map(str::to_ascii_lowercase);
    let mut rows = vec![[
        "product".to_string(),
        "version".to_string(),
        "owner".to_string(),
        "quality".to_string(),
        "consumers".to_string(),
        "description".to_string(),
    ]];
    for (d, product, versions) in products {
        if domain.is_some_and(|wanted| wanted != d) {
            continue;
        }
        let Some(latest) = versions.last() else {
            continue;
        };
        let pv = ProductVersion {
            domain: d.clone(),
            product: product.clone(),
            version: latest.clone(),
        };
        let contract = registry.fetch(&pv).ok().flatten().and_then(|p| {
            parse_external_contract(&format!("{d}/contracts/{product}.yaml"), &p.content)
        });
        let owner = contract
            .as_ref()
            .and_then(|c| c.owner.clone())
            .unwrap_or_default();
        let purpose = contract
            .as_ref()
            .and_then(|c| c.purpose.clone())
            .unwrap_or_default();
        let quality = match registry.status(&pv) {
            Ok(Some(status)) => status.to_string(),
            _ => "not run".to_string(),
        };
        let consumers: BTreeSet<String> = registry
            .consumers(&d, &product)
            .unwrap_or_default()
            .into_iter()
            .map(|c| c.consumer)
            .collect();
        let id = format!("{d}.{product}");
        if let Some(needle) = &needle {
            let haystack = format!("{id} {owner} {purpose}").to_ascii_lowercase();
            if !haystack.contains(needle) {
                continue;
            }
        }
        rows.push([
            id,
            latest.to_string(),
            owner,
            quality,
            consumers.into_iter().collect::<Vec<_>>().join(", "),
            purpose,
        ]);
    }
    if rows.len() == 1 {
        session.progress(&format!("no products found in {}", registry.location()));
        return Outcome::Success;
    }
    let widths: Vec<usize> = (0..5)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    for row in &rows {
        let mut line = String::new();
        for (i, width) in widths.iter().enumerate() {
            line.push_str(&format!("{:<width$}  ", row[i]));
        }
        line.push_str(&row[5]);
        println!("{}", line.trim_end());
    }
    Outcome::Success
}
