//! The layers inside `portal-core` (docs/architecture.md), held against its source: the
//! domain never names the web adapter, the application state or axum, and the database
//! layer names nothing above it. Plain text matching over the files is enough here: the
//! layers are folders, and crossing one means writing one of a few names.
//! No domain file is excused: the module contract's web half (the `PortalModule` trait and
//! its `Routes`) lives in `web/module/`, and the domain reads only its declarations.

use std::path::{Path, PathBuf};

/// What only the layers above the domain may name: the web and application modules, axum,
/// and the web layer's items the crate root re-exports (`crate::PortalModule`, the prelude).
const ABOVE_DOMAIN: &[&str] = &[
    "crate::web",
    "crate::app",
    "AppState",
    "axum",
    "crate::prelude",
    "crate::Portal",
    "crate::PortalModule",
    "crate::ModuleRegistration",
    "crate::ModuleRegistry",
    "crate::Routes",
    "crate::PortalContext",
    "crate::StaffContext",
];

/// Whether `line` reaches the layers above the domain: names one of [`ABOVE_DOMAIN`], or
/// starts a path at `web::` or `app::`, as a grouped import does (`use crate::{db, web::X}`).
fn reaches_up(line: &str) -> bool {
    ABOVE_DOMAIN.iter().any(|w| names(line, w))
        || ["web::", "app::"].iter().any(|p| starts_path(line, p))
}

/// Whether `line` has a path beginning with `prefix` (`web::` but not `myweb::` or `x::web::`).
fn starts_path(line: &str, prefix: &str) -> bool {
    line.match_indices(prefix).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
    })
}

/// The database layer's own names: itself, the error type and the clock (and `text_enum!`,
/// exported at the crate root).
const DB_MAY_NAME: &[&str] = &["db", "error", "clock", "text_enum"];

enum Layer {
    /// `app.rs`, `lib.rs` and `web/`: may name everything below.
    Above,
    Domain,
    /// `db/`, `error.rs`, `clock.rs`.
    Db,
}

fn layer_of(path: &str) -> Layer {
    if path == "app.rs" || path == "lib.rs" || path.starts_with("web/") {
        Layer::Above
    } else if path.starts_with("db/") || path == "error.rs" || path == "clock.rs" {
        Layer::Db
    } else {
        Layer::Domain
    }
}

fn sources() -> Vec<(String, String)> {
    let out = rust_files("../portal-core/src");
    assert!(
        out.len() > 40,
        "found only {} files: wrong directory?",
        out.len()
    );
    out
}

/// Every `.rs` file below `dir` (relative to the repository's `tests/`), by its path there.
fn rust_files(dir: &str) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut out = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("a readable directory") {
            let path: PathBuf = entry.expect("a directory entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let name = path
                    .strip_prefix(&root)
                    .expect("below the root")
                    .to_string_lossy()
                    .replace('\\', "/");
                let text = std::fs::read_to_string(&path).expect("a readable source file");
                out.push((name, text));
            }
        }
    }
    out.sort();
    out
}

/// Lines of code (comments left out) with their number.
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
}

/// Whether `line` names `word` as a whole path or identifier (`crate::web` but not
/// `crate::webhooks`, `axum` but not `axum_extra`).
fn names(line: &str, word: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    line.match_indices(word).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = line[at + word.len()..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

#[test]
fn the_domain_never_names_the_web_the_application_or_axum() {
    let mut wrong = Vec::new();
    for (file, text) in sources() {
        if !matches!(layer_of(&file), Layer::Domain) {
            continue;
        }
        for (n, line) in code_lines(&text) {
            if reaches_up(line) {
                wrong.push(format!("  {file}:{n}: {}", line.trim()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "the domain names the layers above it. Pass it what it uses (a Db, a config value, a \
         Notifier, the module Declarations) instead:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_database_layer_names_nothing_above_it() {
    let mut wrong = Vec::new();
    for (file, text) in sources() {
        if !matches!(layer_of(&file), Layer::Db) {
            continue;
        }
        for (n, line) in code_lines(&text) {
            for (at, _) in line.match_indices("crate::") {
                let name: String = line[at + "crate::".len()..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !DB_MAY_NAME.contains(&name.as_str()) {
                    wrong.push(format!(
                        "  {file}:{n}: names crate::{name}: {}",
                        line.trim()
                    ));
                }
            }
            if reaches_up(line) {
                wrong.push(format!("  {file}:{n}: {}", line.trim()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "the database layer reaches up:\n{}",
        wrong.join("\n")
    );
}

/// Module crates build on the prelude and the domain's public paths; the web layer's inner
/// files are the core's to move, so a module naming one would break when they do.
#[test]
fn modules_never_reach_into_the_web_layer() {
    let mut wrong = Vec::new();
    for dir in ["modules", "examples"] {
        let files = rust_files(&format!("../{dir}"));
        assert!(!files.is_empty(), "no Rust files in {dir}/");
        for (file, text) in files {
            for (n, line) in code_lines(&text) {
                // `web::` at a path's start catches a grouped `use portal_core::{web::…}`.
                if names(line, "portal_core::web") || starts_path(line, "web::") {
                    wrong.push(format!("  {dir}/{file}:{n}: {}", line.trim()));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "modules name the core's web layer; use what `portal_core::prelude` offers (or add \
         it there, documented):\n{}",
        wrong.join("\n")
    );
}

/// The core's tables, by the `CREATE TABLE` statements of its migrations.
fn core_tables() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations/sqlite");
    let mut tables = Vec::new();
    for entry in std::fs::read_dir(dir).expect("the core's migrations") {
        let text = std::fs::read_to_string(entry.expect("a directory entry").path())
            .expect("a readable migration");
        for rest in text.split("CREATE TABLE ").skip(1) {
            let name = rest.trim_start_matches("IF NOT EXISTS ");
            let name: String = name
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.ends_with("_new") {
                tables.push(name);
            }
        }
    }
    tables.sort();
    tables.dedup();
    tables
}

/// The core tables `line`'s SQL reads or writes: each word after `FROM`, `JOIN`, `INTO` or
/// `UPDATE` that names one.
fn core_tables_named<'t>(line: &str, tables: &'t [String]) -> Vec<&'t str> {
    let words: Vec<&str> = line
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    words
        .windows(2)
        .filter(|w| ["FROM", "JOIN", "INTO", "UPDATE"].contains(&w[0]))
        .filter_map(|w| tables.iter().find(|t| t.as_str() == w[1]))
        .map(String::as_str)
        .collect()
}

/// Modules read the core's data through its `core_*` views (core migration 0020), which
/// promise their columns across core releases and hold no secret, and change it through core
/// functions: a module naming a core table would break, or leak, when the core changes it.
#[test]
fn modules_reach_core_tables_only_through_the_core_views() {
    let tables = core_tables();
    assert!(
        ["clients", "contacts", "files", "staff_users"]
            .iter()
            .all(|t| tables.iter().any(|x| x == t)),
        "the core's tables were not found: {tables:?}"
    );
    let mut wrong = Vec::new();
    for dir in ["modules", "examples"] {
        for (file, text) in rust_files(&format!("../{dir}")) {
            for (n, line) in code_lines(&text) {
                for table in core_tables_named(line, &tables) {
                    wrong.push(format!("  {dir}/{file}:{n}: {table}: {}", line.trim()));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "modules name core tables; read `core_clients`, `core_contacts`, \
         `core_contact_permissions`, `core_staff` or `core_files` instead (docs/modules.md, \
         section 5), or call the core function that changes it:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn whole_names_are_told_from_longer_ones() {
    assert!(names("use crate::web::Tenant;", "crate::web"));
    assert!(!names("use crate::webhooks;", "crate::web"));
    assert!(names("axum::Router", "axum"));
    assert!(!names("use axum_extra::x;", "axum"));
    assert!(names("fn f(state: &AppState)", "AppState"));
    assert!(!names("struct MyAppStateful;", "AppState"));
    assert!(reaches_up("use crate::{db::Db, web::Tenant};"));
    assert!(reaches_up("    web::module::Routes,"));
    assert!(reaches_up("use crate::PortalModule;"));
    assert!(reaches_up("use crate::prelude::*;"));
    assert!(!reaches_up("use crate::PortalConfig;"));
    assert!(!reaches_up("use crate::files::web::x;"));
    assert!(starts_path(
        "use portal_core::{files, web::download};",
        "web::"
    ));
    assert!(!starts_path("use portal_core::webhooks::x;", "web::"));
    let tables = ["clients".to_string(), "files".to_string()];
    assert_eq!(
        core_tables_named("FROM x JOIN clients c ON c.id = x.client_id", &tables),
        ["clients"]
    );
    assert!(
        core_tables_named("JOIN core_clients c, shared_files s FROM files_x", &tables).is_empty()
    );
    assert!(core_tables_named("\"Choose files from the list.\"", &tables).is_empty());
}
