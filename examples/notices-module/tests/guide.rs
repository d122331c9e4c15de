#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `docs/modules.md` shows the example module's own code. Each block opened with
//! ```` ```rust from=PATH#ANCHOR ```` must be exactly the lines of `PATH` between
//! `// ANCHOR: name` and `// ANCHOR_END: name` (`# ANCHOR:` in TOML, `{# ANCHOR: name #}` in a
//! template), or the whole file when
//! no anchor is named; code blocks not taken from a file say `ignore`. So every snippet is
//! compiled and tested code, and a stale one fails here, naming it.
//! `PORTICO_BLESS_GUIDE=1 cargo test … guide` rewrites the blocks from the code.
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The lines `source` holds for `path#anchor`, as the guide shows them.
fn region(path: &str, anchor: Option<&str>) -> Result<String, String> {
    let text = std::fs::read_to_string(root().join(path)).map_err(|e| format!("{path}: {e}"))?;
    let Some(anchor) = anchor else {
        return Ok(text.trim_end().to_string());
    };
    let (comment, end) = match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("toml") => ("#", ""),
        Some("html") => ("{#", " #}"),
        _ => ("//", ""),
    };
    let open = format!("{comment} ANCHOR: {anchor}{end}\n");
    let close = format!("{comment} ANCHOR_END: {anchor}{end}");
    let start = text
        .find(&open)
        .ok_or_else(|| format!("{path} has no `{open}`"))?
        + open.len();
    let end = text[start..]
        .find(&close)
        .ok_or_else(|| format!("{path} has no `{close}`"))?;
    Ok(text[start..start + end].trim_end().to_string())
}

#[test]
fn guide_snippets_are_the_code() {
    let guide_path = root().join("docs/modules.md");
    let guide = std::fs::read_to_string(&guide_path).unwrap();
    let mut blessed = String::new();
    let mut wrong = Vec::new();
    let mut taken = 0;
    let mut lines = guide.lines().peekable();
    while let Some(line) = lines.next() {
        blessed.push_str(line);
        blessed.push('\n');
        let Some(info) = line.strip_prefix("```").filter(|i| !i.is_empty()) else {
            continue;
        };
        let mut shown = Vec::new();
        for inner in lines.by_ref() {
            if inner == "```" {
                break;
            }
            shown.push(inner);
        }
        let shown = shown.join("\n");
        let source = info
            .split_whitespace()
            .find_map(|w| w.strip_prefix("from="));
        let expected = match source {
            Some(source) => {
                let (path, anchor) = match source.split_once('#') {
                    Some((p, a)) => (p, Some(a)),
                    None => (source, None),
                };
                match region(path, anchor) {
                    Ok(code) => {
                        taken += 1;
                        if code != shown {
                            wrong.push(format!("the block from {source} differs from the code"));
                        }
                        code
                    }
                    Err(e) => {
                        wrong.push(e);
                        shown
                    }
                }
            }
            None => {
                if !info.split_whitespace().any(|w| w == "ignore") {
                    wrong.push(format!(
                        "a ```{info} block is taken from no file (say `from=` or `ignore`)"
                    ));
                }
                shown
            }
        };
        if !expected.is_empty() {
            blessed.push_str(&expected);
            blessed.push('\n');
        }
        blessed.push_str("```\n");
    }
    if std::env::var_os("PORTICO_BLESS_GUIDE").is_some() {
        std::fs::write(&guide_path, &blessed).unwrap();
        return;
    }
    assert!(taken >= 10, "only {taken} snippets are taken from code");
    assert!(
        wrong.is_empty(),
        "docs/modules.md is out of step with the code (PORTICO_BLESS_GUIDE=1 rewrites it):\n{}",
        wrong.join("\n")
    );
}
