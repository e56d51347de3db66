//! The shape of the crates' sources: no file over 500 lines, and no import loop between the
//! files of one crate (`a.rs` uses `b.rs`, which uses `a.rs`, directly or through others).
//!
//! Run it alone with `cargo test -p errspec-tests --test modules -- --nocapture`: it prints
//! every crate's longest files and each loop it finds, with the imports that close it.
//!
//! What counts as an import of file `b` by file `a`: a path in `a` that starts `crate::`,
//! `super::` or `self::`, or with the name of one of `a`'s own child modules, and names an item
//! of `b` (directly, or through a `use` that `b`'s parent module re-exports). A module's `pub`
//! or `pub(crate)` `use` of its own descendants is a re-export, not a dependency; `mod x;` is
//! not an import either. Paths inside `#[cfg(test)] mod tests { .. }` count as the file's own.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::ToTokens as _;

/// The most lines a source file may have.
const MAX_LINES: usize = 500;

/// The crates checked: (name, root file relative to the workspace, enforced). A crate that is
/// not enforced is reported but does not fail the test.
const CRATES: &[(&str, &str, bool)] = &[
    ("errspec-core", "core/src/lib.rs", true),
    ("errspec-spec", "spec/src/lib.rs", true),
    ("errspec-codegen", "macros/codegen/src/lib.rs", true),
    ("errspec-cli", "cli/src/main.rs", true),
    ("errspec", "runtime/src/lib.rs", true),
    ("errspec-redis", "redis/src/lib.rs", true),
    ("errspec-test-support", "test-support/src/lib.rs", true),
];

#[test]
fn no_import_loops_and_no_long_files() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut failures = String::new();
    for &(name, root, enforced) in CRATES {
        let report = check(&workspace.join(root));
        let status = match (report.is_clean(), enforced) {
            (true, _) => "clean",
            (false, true) => "FAILS",
            (false, false) => "fails (reported, not yet enforced)",
        };
        println!("{name} ({root}): {status}");
        print!("{report}");
        if enforced && !report.is_clean() {
            let _ = writeln!(failures, "{name}:\n{report}");
        }
    }
    assert!(failures.is_empty(), "\n{failures}");
}

/// One module of a crate: its file and what it re-exports.
struct Module {
    file: PathBuf,
    /// Child modules declared with `mod name;` or `mod name { .. }`.
    children: BTreeSet<String>,
    /// Names brought in by `use`: name -> absolute path of what it names.
    uses: BTreeMap<String, Vec<String>>,
    /// The tokens of the module's items, with the module path they are read in (inline
    /// modules are read in their own).
    bodies: Vec<(Vec<String>, TokenStream)>,
    /// Paths of the module's `pub`/`pub(crate)` `use`s of its own descendants.
    reexports: BTreeSet<Vec<String>>,
}

#[derive(Default)]
struct Report {
    long: Vec<(String, usize)>,
    longest: Vec<(String, usize)>,
    loops: Vec<Vec<String>>,
}

impl Report {
    fn is_clean(&self) -> bool {
        self.long.is_empty() && self.loops.is_empty()
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let longest: Vec<String> = self
            .longest
            .iter()
            .map(|(file, n)| format!("{file} {n}"))
            .collect();
        writeln!(f, "  longest: {}", longest.join(", "))?;
        for (file, n) in &self.long {
            writeln!(f, "  {file}: {n} lines, over {MAX_LINES}")?;
        }
        for cycle in &self.loops {
            writeln!(f, "  import loop: {}", cycle.join(" -> "))?;
        }
        Ok(())
    }
}

fn check(root: &Path) -> Report {
    let src = root.parent().unwrap();
    let mut modules = BTreeMap::new();
    load(root, &[], true, &mut modules);

    let display = |file: &Path| file.strip_prefix(src).unwrap().display().to_string();
    let mut report = Report::default();
    let mut lines: Vec<(String, usize)> = modules
        .values()
        .map(|m| {
            let n = std::fs::read_to_string(&m.file).unwrap().lines().count();
            (display(&m.file), n)
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    lines.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    report.long = lines
        .iter()
        .filter(|(_, n)| *n > MAX_LINES)
        .cloned()
        .collect();
    report.longest = lines.into_iter().take(3).collect();

    // file -> file it imports -> the first path that does
    let mut edges: BTreeMap<PathBuf, BTreeMap<PathBuf, String>> = BTreeMap::new();
    for module in modules.values() {
        for (scope, tokens) in &module.bodies {
            let mut paths = Vec::new();
            collect_paths(tokens.clone(), &mut paths);
            for path in paths {
                let Some(absolute) = absolute(&path, scope, &modules) else {
                    continue;
                };
                if is_reexport(&absolute, scope, &modules) {
                    continue;
                }
                if let Some(target) = resolve(&absolute, &modules, 0)
                    && target != module.file
                {
                    edges
                        .entry(module.file.clone())
                        .or_default()
                        .entry(target)
                        .or_insert_with(|| path.join("::"));
                }
            }
        }
    }
    for cycle in cycles(&edges) {
        let mut shown = Vec::new();
        for pair in cycle.windows(2) {
            let how = &edges[&pair[0]][&pair[1]];
            shown.push(format!("{} (`{how}`)", display(&pair[0])));
        }
        shown.push(display(&cycle[0]));
        report.loops.push(shown);
    }
    report
}

/// Reads the module in `file` (at module path `path`) and, recursively, its children.
fn load(file: &Path, path: &[String], owns_dir: bool, modules: &mut BTreeMap<Vec<String>, Module>) {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let parsed = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    // where `mod x;` is looked for: beside `lib.rs`/`mod.rs`, else in a folder named as the file
    let dir = if owns_dir {
        file.parent().unwrap().to_path_buf()
    } else {
        file.with_extension("")
    };
    read_items(file, &dir, path, &parsed.items, modules);
}

fn read_items(
    file: &Path,
    dir: &Path,
    path: &[String],
    items: &[syn::Item],
    modules: &mut BTreeMap<Vec<String>, Module>,
) {
    let mut module = Module {
        file: file.to_path_buf(),
        children: BTreeSet::new(),
        uses: BTreeMap::new(),
        bodies: Vec::new(),
        reexports: BTreeSet::new(),
    };
    let mut inline = Vec::new();
    let mut external = Vec::new();
    for item in items {
        match item {
            syn::Item::Mod(m) => {
                let name = m.ident.to_string();
                module.children.insert(name.clone());
                match &m.content {
                    Some((_, items)) => inline.push((name, items.clone())),
                    None => external.push((name, path_attribute(&m.attrs))),
                }
            }
            syn::Item::Use(u) => {
                let mut flat = Vec::new();
                flatten_use(&u.tree, &mut Vec::new(), &mut flat);
                let public = !matches!(u.vis, syn::Visibility::Inherited);
                for (name, target) in flat {
                    if public {
                        module.reexports.insert(target.clone());
                    }
                    if let Some(name) = name {
                        module.uses.insert(name, target);
                    }
                }
                module.bodies.push((path.to_vec(), u.to_token_stream()));
            }
            other => module.bodies.push((path.to_vec(), other.to_token_stream())),
        }
    }
    modules.insert(path.to_vec(), module);
    for (name, items) in inline {
        let mut child = path.to_vec();
        child.push(name.clone());
        read_items(file, &dir.join(&name), &child, &items, modules);
    }
    for (name, at) in external {
        let mut child = path.to_vec();
        child.push(name.clone());
        let flat = dir.join(format!("{name}.rs"));
        if let Some(at) = at {
            // `#[path = "x.rs"]`: beside the declaring file (a module of its own dir)
            let owner = file.parent().unwrap_or(dir);
            load(&owner.join(at), &child, false, modules);
        } else if flat.exists() {
            load(&flat, &child, false, modules);
        } else {
            load(&dir.join(&name).join("mod.rs"), &child, true, modules);
        }
    }
}

/// The file a `#[path = "..."]` attribute names, if any.
fn path_attribute(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find_map(|attr| match &attr.meta {
        syn::Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    })
}

/// The (name bound, path) pairs of a `use` tree; the path is as written (relative).
fn flatten_use(
    tree: &syn::UseTree,
    prefix: &mut Vec<String>,
    out: &mut Vec<(Option<String>, Vec<String>)>,
) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            flatten_use(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let name = n.ident.to_string();
            let mut path = prefix.clone();
            if name != "self" {
                path.push(name.clone());
            }
            let bound = if name == "self" {
                prefix.last().cloned()
            } else {
                Some(name)
            };
            out.push((bound, path));
        }
        syn::UseTree::Rename(r) => {
            let mut path = prefix.clone();
            path.push(r.ident.to_string());
            out.push((Some(r.rename.to_string()), path));
        }
        syn::UseTree::Glob(_) => out.push((None, prefix.clone())),
        syn::UseTree::Group(g) => {
            for tree in &g.items {
                flatten_use(tree, prefix, out);
            }
        }
    }
}

/// Every path in `tokens` that starts with an identifier followed by `::` (use trees with
/// `{..}` groups flattened), as its segments.
fn collect_paths(tokens: TokenStream, out: &mut Vec<Vec<String>>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i < tokens.len() {
        let after_dollar =
            i > 0 && matches!(&tokens[i - 1], TokenTree::Punct(p) if p.as_char() == '$');
        let after_colons =
            i > 0 && matches!(&tokens[i - 1], TokenTree::Punct(p) if p.as_char() == ':');
        match &tokens[i] {
            TokenTree::Ident(ident)
                if !after_dollar && !after_colons && colons_at(&tokens, i + 1) =>
            {
                let mut path = vec![ident.to_string()];
                i = path_tail(&tokens, i + 1, &mut path, out);
                continue;
            }
            TokenTree::Group(group) => collect_paths(group.stream(), out),
            _ => {}
        }
        i += 1;
    }
}

fn colons_at(tokens: &[TokenTree], i: usize) -> bool {
    matches!((tokens.get(i), tokens.get(i + 1)),
        (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b))) if a.as_char() == ':' && b.as_char() == ':')
}

/// Reads `:: seg :: seg ...` from `i`, pushing the full paths; returns where it stopped.
fn path_tail(
    tokens: &[TokenTree],
    mut i: usize,
    path: &mut Vec<String>,
    out: &mut Vec<Vec<String>>,
) -> usize {
    while colons_at(tokens, i) {
        i += 2;
        match tokens.get(i) {
            Some(TokenTree::Ident(ident)) => {
                path.push(ident.to_string());
                i += 1;
            }
            Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Brace => {
                // a use tree's group: each comma-separated item continues the path
                let inner: Vec<TokenTree> = group.stream().into_iter().collect();
                for item in inner.split(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ','))
                {
                    if let Some(TokenTree::Ident(first)) = item.first() {
                        let mut sub = path.clone();
                        sub.push(first.to_string());
                        path_tail(item, 1, &mut sub, out);
                    }
                }
                return i + 1;
            }
            _ => break,
        }
    }
    if path.last().is_some_and(|s| s == "self") {
        path.pop();
    }
    out.push(path.clone());
    i
}

/// `path` as written in module `scope`, made absolute (from the crate root); `None` for
/// paths that leave the crate.
fn absolute(
    path: &[String],
    scope: &[String],
    modules: &BTreeMap<Vec<String>, Module>,
) -> Option<Vec<String>> {
    let mut base: Vec<String> = scope.to_vec();
    let mut rest = path;
    match rest.first().map(String::as_str) {
        Some("crate") => {
            base.clear();
            rest = &rest[1..];
        }
        Some("self") => rest = &rest[1..],
        Some("super") => {
            while rest.first().map(String::as_str) == Some("super") {
                base.pop()?;
                rest = &rest[1..];
            }
        }
        Some(first) if modules[scope].children.contains(first) => {}
        // a name the module imported (`use crate::walk; walk::read(..)`)
        Some(first) => {
            let target = modules[scope].uses.get(first)?;
            let mut path = absolute_or_relative(target, scope, modules)?;
            path.extend(rest[1..].iter().cloned());
            return Some(path);
        }
        None => return None,
    }
    base.extend(rest.iter().cloned());
    Some(base)
}

/// Whether `absolute` is named by a `pub use` of module `scope` of one of its descendants.
fn is_reexport(
    absolute: &[String],
    scope: &[String],
    modules: &BTreeMap<Vec<String>, Module>,
) -> bool {
    absolute.starts_with(scope)
        && absolute.len() > scope.len()
        && modules[scope]
            .reexports
            .iter()
            .any(|p| absolute_or_relative(p, scope, modules).as_deref() == Some(absolute))
}

fn absolute_or_relative(
    path: &[String],
    scope: &[String],
    modules: &BTreeMap<Vec<String>, Module>,
) -> Option<Vec<String>> {
    match path.first().map(String::as_str) {
        Some("crate" | "self" | "super") => absolute(path, scope, modules),
        Some(first) if modules[scope].children.contains(first) => {
            Some(scope.iter().chain(path).cloned().collect())
        }
        _ => None,
    }
}

/// The file that defines what `absolute` names: the deepest module on the path, following
/// that module's `use` of the next name.
fn resolve(
    absolute: &[String],
    modules: &BTreeMap<Vec<String>, Module>,
    depth: usize,
) -> Option<PathBuf> {
    if depth > 8 {
        return None;
    }
    let mut at = 0;
    while at < absolute.len() && modules.contains_key(&absolute[..=at]) {
        at += 1;
    }
    let module_path = &absolute[..at];
    let module = &modules[module_path];
    if let Some(name) = absolute.get(at)
        && let Some(target) = module.uses.get(name)
    {
        // a re-export from another crate names no file of this one
        let mut next = absolute_or_relative(target, module_path, modules)?;
        next.extend(absolute[at + 1..].iter().cloned());
        if let Some(file) = resolve(&next, modules, depth + 1) {
            return Some(file);
        }
    }
    Some(module.file.clone())
}

/// One shortest cycle through each strongly connected set of files that has one.
fn cycles(edges: &BTreeMap<PathBuf, BTreeMap<PathBuf, String>>) -> Vec<Vec<PathBuf>> {
    let mut found: Vec<Vec<PathBuf>> = Vec::new();
    let mut seen: BTreeSet<PathBuf> = BTreeSet::new();
    for start in edges.keys() {
        if seen.contains(start) {
            continue;
        }
        // breadth-first back to `start`
        let mut previous: BTreeMap<PathBuf, PathBuf> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([start.clone()]);
        let mut closed = None;
        while let Some(file) = queue.pop_front() {
            for next in edges.get(&file).into_iter().flat_map(BTreeMap::keys) {
                if next == start {
                    closed = Some(file.clone());
                    break;
                }
                if !previous.contains_key(next) {
                    previous.insert(next.clone(), file.clone());
                    queue.push_back(next.clone());
                }
            }
            if closed.is_some() {
                break;
            }
        }
        if let Some(mut last) = closed {
            let mut cycle = vec![start.clone()];
            let mut back = Vec::new();
            while last != *start {
                back.push(last.clone());
                last = previous[&last].clone();
            }
            cycle.extend(back.into_iter().rev());
            cycle.push(start.clone());
            seen.extend(cycle.iter().cloned());
            found.push(cycle);
        }
    }
    found
}
