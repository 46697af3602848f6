//! The module graph has no circles: no top-level module of `src/` imports one that imports it
//! back, and no source file does either (ARCHITECTURE.md, "No import circles").

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// A file's module path (`src/crawl/walk.rs` -> `crawl::walk`; `mod.rs` is its folder).
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if parts
        .last()
        .is_some_and(|p| p == "mod" || p == "lib" || p == "main")
    {
        parts.pop();
    }
    parts
}

/// The code of a file outside its tests and comments.
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The module paths a file's code names: `crate::a::b`, `use crate::{a, b::c}`, `super::x`.
fn named_paths(code: &str, module: &[String], is_folder: bool) -> Vec<Vec<String>> {
    let parent: Vec<String> = if is_folder {
        module.to_vec()
    } else {
        module[..module.len().saturating_sub(1)].to_vec()
    };
    let super_base: Vec<String> = if is_folder {
        parent[..parent.len().saturating_sub(1)].to_vec()
    } else {
        parent.clone()
    };
    let mut out = Vec::new();
    for (prefix, base) in [("crate::", Vec::new()), ("super::", super_base)] {
        let mut rest = code;
        while let Some(at) = rest.find(prefix) {
            let before = rest[..at].chars().last();
            rest = &rest[at + prefix.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            if let Some(group) = rest.strip_prefix('{') {
                expand(&base, group, &mut out);
            } else {
                let mut path = base.clone();
                path.extend(words(rest));
                out.push(path);
            }
        }
    }
    out
}

/// The paths of a `use` group (`a::B, c::{d, e}}` after its opening brace), nested groups
/// included, each under `base`.
fn expand(base: &[String], group: &str, out: &mut Vec<Vec<String>>) {
    let (mut depth, mut start) = (0usize, 0usize);
    let mut items = Vec::new();
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                items.push(&group[start..i]);
                break;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&group[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    for item in items {
        let item = item.trim();
        let mut path = base.to_vec();
        path.extend(words(item));
        match item.find("::{") {
            Some(at) => expand(&path, &item[at + 3..], out),
            None => out.push(path),
        }
    }
}

/// The leading `a::b::c` of `s`.
fn words(s: &str) -> Vec<String> {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .unwrap_or(s.len());
    s[..end]
        .split("::")
        .filter(|w| !w.is_empty() && *w != "self")
        .map(str::to_string)
        .collect()
}

/// The files a circle runs through, if any (Tarjan's strongly connected components).
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Tarjan<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<String, usize>,
        low: BTreeMap<String, usize>,
        stack: Vec<String>,
        on_stack: BTreeSet<String>,
        found: Vec<Vec<String>>,
    }
    impl Tarjan<'_> {
        fn visit(&mut self, v: &str) {
            let i = self.index.len();
            self.index.insert(v.to_string(), i);
            self.low.insert(v.to_string(), i);
            self.stack.push(v.to_string());
            self.on_stack.insert(v.to_string());
            for w in self.graph.get(v).into_iter().flatten() {
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let lw = self.low[w];
                    let lv = self.low.get_mut(v).unwrap();
                    *lv = (*lv).min(lw);
                } else if self.on_stack.contains(w) {
                    let iw = self.index[w];
                    let lv = self.low.get_mut(v).unwrap();
                    *lv = (*lv).min(iw);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(&w);
                    let done = w == v;
                    component.push(w);
                    if done {
                        break;
                    }
                }
                if component.len() > 1 {
                    self.found.push(component);
                }
            }
        }
    }
    let mut t = Tarjan {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !t.index.contains_key(v) {
            t.visit(v);
        }
    }
    t.found
}

/// The import graph of `src/`: by file, and by top-level module.
fn graphs() -> (
    BTreeMap<String, BTreeSet<String>>,
    BTreeMap<String, BTreeSet<String>>,
) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let by_module: BTreeMap<Vec<String>, String> = files
        .iter()
        .map(|f| (module_of(&src, f), f.display().to_string()))
        .collect();
    let mut by_file: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut by_top: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let module = module_of(&src, file);
        if module.is_empty() {
            continue; // lib.rs and main.rs declare and use everything
        }
        let is_folder = file.file_name().is_some_and(|n| n == "mod.rs");
        let code = code_of(&std::fs::read_to_string(file).unwrap());
        let me = file.display().to_string();
        for path in named_paths(&code, &module, is_folder) {
            let target = (1..=path.len())
                .rev()
                .find_map(|n| by_module.get(&path[..n]));
            if let Some(target) = target.filter(|t| **t != me) {
                by_file
                    .entry(me.clone())
                    .or_default()
                    .insert(target.clone());
                if path[0] != module[0] {
                    by_top
                        .entry(module[0].clone())
                        .or_default()
                        .insert(path[0].clone());
                }
            }
        }
    }
    (by_file, by_top)
}

#[test]
fn no_file_or_module_imports_one_that_imports_it_back() {
    let (by_file, by_top) = graphs();
    assert!(by_file.len() > 50, "the scan found the sources");
    assert!(by_top["crawl"].contains("store"), "the scan reads imports");
    assert_eq!(
        circles(&by_top),
        Vec::<Vec<String>>::new(),
        "module circles"
    );
    assert_eq!(circles(&by_file), Vec::<Vec<String>>::new(), "file circles");
}

#[test]
fn a_circle_is_found() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a", &["b"][..]),
        ("b", &["c"][..]),
        ("c", &["a"][..]),
        ("d", &["a"][..]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
    .collect();
    let found = circles(&graph);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].len(), 3);
    let code = "use crate::{store::Store, fetch::{self, text}};\nuse super::page::{self, Next};\nlet x = crate::time::now();";
    let module = ["crawl".to_string(), "walk".to_string()];
    let paths = named_paths(code, &module, false);
    assert!(paths.contains(&vec!["store".to_string(), "Store".to_string()]));
    assert!(paths.contains(&vec!["crawl".to_string(), "page".to_string()]));
    assert!(paths.contains(&vec!["time".to_string(), "now".to_string()]));
    assert!(paths.contains(&vec!["fetch".to_string(), "text".to_string()]));
    assert!(!paths.contains(&vec!["text".to_string()]), "{paths:?}");
}
