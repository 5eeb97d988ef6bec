//! Architecture invariants of the server's source, checked on the source itself
//! (ARCHITECTURE.md, "The server"):
//!
//! - no import cycle between the server's modules, at the granularity of the top-level modules
//!   (`config`, `storage`, `mail`, …) and of the files of `http/` and `domain/`;
//! - `domain/` knows neither axum nor `http/`: handlers parse, call and answer.
//!
//! A module's references are the paths it names: `crate::a::b`, `super::a`, `self::a` and the
//! bare paths to its own child modules (`meta::router()` in `http/mod.rs`), `use` trees with
//! braces included. Comments and the `#[cfg(test)]` part at the end of a file are not read.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

struct Source {
    module: Module,
    text: String,
}

fn sources() -> Vec<Source> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&root, &mut files);
    files
        .into_iter()
        .filter_map(|path| {
            let relative = path.strip_prefix(&root).unwrap();
            let mut module: Module = relative
                .with_extension("")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            match module.last().map(String::as_str) {
                // The binary is another crate; it reaches the library by its name.
                Some("main") if module.len() == 1 => return None,
                Some("lib") if module.len() == 1 => module.clear(),
                Some("mod") => {
                    module.pop();
                }
                _ => {}
            }
            let text = std::fs::read_to_string(&path).unwrap();
            Some(Source {
                module,
                text: code_of(&text),
            })
        })
        .collect()
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// The code of a file: without its comments, and without its `#[cfg(test)]` part.
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The full paths a `use` tree or an inline path starting at `at` names, e.g.
/// `crate::storage::{self, accounts::NewAccount}` → `crate::storage`, `crate::storage::accounts::NewAccount`.
fn paths_at(text: &str, at: usize, prefix: &[String], out: &mut Vec<Vec<String>>) -> usize {
    let bytes = text.as_bytes();
    let mut path = prefix.to_vec();
    let mut i = at;
    loop {
        while i < bytes.len() && (bytes[i] as char).is_whitespace() {
            i += 1;
        }
        if i < bytes.len() && bytes[i] == b'{' {
            i += 1;
            loop {
                while i < bytes.len() && (bytes[i] as char).is_whitespace()
                    || bytes.get(i) == Some(&b',')
                {
                    i += 1;
                }
                if i >= bytes.len() || bytes[i] == b'}' {
                    return i + 1;
                }
                i = paths_at(text, i, &path, out);
            }
        }
        let start = i;
        while i < bytes.len() && is_ident(bytes[i] as char) {
            i += 1;
        }
        let segment = &text[start..i];
        if segment.is_empty() || segment == "self" {
            out.push(path);
            return i;
        }
        path.push(segment.to_owned());
        if text[i..].starts_with("::") {
            i += 2;
        } else {
            out.push(path);
            return i;
        }
    }
}

/// The modules a file names, as full paths from the crate root.
fn references(source: &Source, children: &BTreeSet<String>) -> Vec<Module> {
    let text = &source.text;
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    for (at, _) in text.match_indices("::") {
        // The first segment of a path: the identifier before this `::`, not itself preceded by
        // `::` (then it is not the first).
        let mut start = at;
        while start > 0 && is_ident(bytes[start - 1] as char) {
            start -= 1;
        }
        if start == at || text[..start].ends_with("::") {
            continue;
        }
        let first = &text[start..at];
        let base: Module = match first {
            "crate" => Vec::new(),
            "self" => source.module.clone(),
            "super" => {
                let mut base = source.module.clone();
                let mut rest = at;
                base.pop();
                while text[rest + 2..].starts_with("super::") {
                    base.pop();
                    rest += 7;
                }
                let mut paths = Vec::new();
                paths_at(text, rest + 2, &base, &mut paths);
                found.extend(paths);
                continue;
            }
            child if children.contains(child) => {
                let mut base = source.module.clone();
                base.push(child.to_owned());
                base
            }
            _ => continue,
        };
        paths_at(text, at + 2, &base, &mut found);
    }
    found
}

/// The node of the graph a module belongs to: its top-level module, or its file when it is in
/// `http/` or `domain/`; `crate` for the root.
fn node(module: &[String]) -> String {
    match module {
        [] => "crate".to_owned(),
        [top, file, ..] if top == "http" || top == "domain" => format!("{top}::{file}"),
        [top, ..] => top.clone(),
    }
}

/// The module graph: node → the nodes it names.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let sources = sources();
    let modules: BTreeSet<Module> = sources.iter().map(|s| s.module.clone()).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for source in &sources {
        let children: BTreeSet<String> = modules
            .iter()
            .filter(|m| m.len() == source.module.len() + 1 && m.starts_with(&source.module))
            .filter_map(|m| m.last().cloned())
            .collect();
        let from = node(&source.module);
        let edges = graph.entry(from.clone()).or_default();
        for path in references(source, &children) {
            // The longest prefix of the path that is a module of the crate.
            let target = (0..=path.len())
                .rev()
                .map(|n| &path[..n])
                .find(|prefix| modules.contains(*prefix))
                .unwrap_or_default();
            let to = node(target);
            if to != from {
                edges.insert(to);
            }
        }
    }
    graph
}

/// A cycle of the graph, if it has one (depth-first search).
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|n| n == node) {
            let mut cycle = stack[at..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, stack, done) {
                return Some(cycle);
            }
        }
        stack.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_server_modules_have_no_import_cycle() {
    let graph = graph();
    // The reader reads: the graph has the edges the layout promises.
    assert!(
        graph["http::signup"].contains("domain::email_code"),
        "{graph:#?}"
    );
    assert!(graph["http"].contains("http::meta"), "{graph:#?}");
    assert!(
        graph["domain::email_code"].contains("storage"),
        "{graph:#?}"
    );
    if let Some(cycle) = find_cycle(&graph) {
        panic!("an import cycle: {}", cycle.join(" → "));
    }
}

#[test]
fn a_cycle_is_found_when_there_is_one() {
    let mut graph = BTreeMap::<String, BTreeSet<String>>::new();
    for (from, to) in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")] {
        graph.entry(from.into()).or_default().insert(to.into());
    }
    assert_eq!(find_cycle(&graph).unwrap(), ["a", "b", "c", "a"]);
    graph.get_mut("c").unwrap().remove("a");
    assert_eq!(find_cycle(&graph), None);
}

#[test]
fn use_trees_are_read_whole() {
    let source = Source {
        module: vec!["http".into(), "signup".into()],
        text: "use crate::storage::{self, accounts::{NewAccount, x}};\nuse super::cookies::Set;\n"
            .into(),
    };
    let found = references(&source, &BTreeSet::new());
    let found: Vec<String> = found.iter().map(|p| p.join("::")).collect();
    assert_eq!(
        found,
        [
            "storage",
            "storage::accounts::NewAccount",
            "storage::accounts::x",
            "http::cookies::Set"
        ]
    );
}

#[test]
fn the_domain_knows_neither_axum_nor_http() {
    for source in sources() {
        if source.module.first().map(String::as_str) != Some("domain") {
            continue;
        }
        let name = source.module.join("::");
        assert!(!source.text.contains("axum"), "{name} uses axum");
        let refs = references(&source, &BTreeSet::new());
        assert!(
            refs.iter()
                .all(|p| p.first().map(String::as_str) != Some("http")),
            "{name} names http/"
        );
    }
}
