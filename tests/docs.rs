//! The documentation against the code. `docs/schema.md` and the Datasette metadata against the
//! schema: every column of every view and table, and every fetch outcome, is documented; nothing
//! documented is missing. And in `README.md`, `ARCHITECTURE.md` and `docs/*.md`: every relative
//! link and anchor leads somewhere, every `arshif` command line in a code block parses with the
//! real command-line definition, and every example shown with its output on
//! `archive.db.example` still prints that output.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use arshif::model::FetchOutcome;
use clap::Parser;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The page that documents the database.
fn schema_doc() -> String {
    std::fs::read_to_string(root().join("docs/schema.md")).unwrap()
}

/// The backticked names of a table cell outside parentheses (`` `url`, `host` (`host:port`),
/// since schema 3 `born_at` `` gives url, host, born_at).
fn names_in(cell: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut depth = 0;
    let mut rest = cell;
    while let Some(c) = rest.chars().next() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            '`' => {
                let end = rest[1..].find('`').map_or(rest.len(), |e| e + 1);
                if depth == 0 {
                    out.insert(rest[1..end].to_string());
                }
                rest = &rest[(end + 1).min(rest.len())..];
                continue;
            }
            _ => {}
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The rows of the markdown table whose header starts with `header`: first cell (unquoted) to
/// the row's cells.
fn table(doc: &str, header: &str) -> Vec<(String, Vec<String>)> {
    let mut lines = doc.lines().skip_while(|l| !l.starts_with(header));
    lines.next().expect(header);
    lines
        .skip(1)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<String> = l
                .trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_string())
                .collect();
            (cells[0].trim_matches('`').to_string(), cells)
        })
        .collect()
}

fn columns(conn: &rusqlite::Connection, name: &str) -> BTreeSet<String> {
    let mut stmt = conn
        .prepare(&format!("SELECT name FROM pragma_table_info('{name}')"))
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn fresh_archive() -> (tempfile::TempDir, rusqlite::Connection) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    drop(arshif::store::Store::open_writer(&db.clone().into()).unwrap());
    let conn = rusqlite::Connection::open(&db).unwrap();
    (dir, conn)
}

#[test]
fn the_views_columns_are_the_documented_ones() {
    let (_dir, conn) = fresh_archive();
    let doc = schema_doc();
    let views = table(&doc, "| view | one row per | columns |");
    assert_eq!(views.len(), 4);
    for (view, cells) in views {
        assert_eq!(names_in(&cells[2]), columns(&conn, &view), "view {view}");
    }
}

#[test]
fn every_table_column_is_documented() {
    let (_dir, conn) = fresh_archive();
    let doc = schema_doc();
    let tables = table(&doc, "| table | one row per | main columns |");
    let names: BTreeSet<String> = tables.iter().map(|(n, _)| n.clone()).collect();
    let mut stmt = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table'
             AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'search_index_%'",
        )
        .unwrap();
    let schema_tables: BTreeSet<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(names, schema_tables, "docs/schema.md's table of tables");
    for (name, cells) in tables {
        // `a.b` names a column of another table (`rowid` = `versions.id`).
        let documented: BTreeSet<String> = names_in(&cells[2])
            .into_iter()
            .filter(|c| !c.contains('.'))
            .collect();
        let mut schema = columns(&conn, &name);
        schema.remove("id");
        if name == "search_index" {
            // Documented as `rowid` = `versions.id` and its four folded columns.
            schema.insert("rowid".into());
        }
        let missing: Vec<_> = schema
            .iter()
            .filter(|c| {
                !documented.contains(*c) && !doc.contains(&format!("`{name}` also has `{c}`"))
            })
            .collect();
        assert!(missing.is_empty(), "table {name}: undocumented {missing:?}");
        let stale: Vec<_> = documented.iter().filter(|c| !schema.contains(*c)).collect();
        assert!(
            stale.is_empty(),
            "table {name}: documented but absent {stale:?}"
        );
    }
}

#[test]
fn every_fetch_outcome_is_documented() {
    let all: BTreeSet<String> = FetchOutcome::ALL
        .iter()
        .map(|o| o.as_str().to_string())
        .collect();
    assert_eq!(all.len(), FetchOutcome::ALL.len());
    let doc = schema_doc();
    let listed: Vec<String> = table(&doc, "| outcome | meaning |")
        .into_iter()
        .flat_map(|(_, cells)| names_in(&cells[0]))
        .collect();
    let documented: BTreeSet<String> = listed.iter().cloned().collect();
    assert_eq!(documented, all, "docs/schema.md's outcome table");
    assert_eq!(
        listed.len(),
        documented.len(),
        "an outcome listed twice: {listed:?}"
    );
    let metadata: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("datasette-metadata.json")).unwrap(),
    )
    .unwrap();
    let described =
        metadata["databases"]["archive.db"]["tables"]["fetch_log"]["columns"]["outcome"]
            .as_str()
            .unwrap();
    for o in &all {
        assert!(
            described.split([',', ' ']).any(|w| w == o),
            "the Datasette metadata lacks {o}"
        );
    }
}

#[test]
fn names_in_reads_cells() {
    assert_eq!(
        names_in("`url`, `host` (`host:port`), `version`, `authors` (JSON array), `a`/`b`"),
        ["a", "authors", "b", "host", "url", "version"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
}

// ---------------------------------------------------------------------------------------------
// The documentation files: links, command lines and example outputs.

/// `README.md`, `ARCHITECTURE.md` and every `*.md` in `docs/`, as paths relative to the
/// repository.
fn doc_files() -> Vec<PathBuf> {
    let mut files = vec![PathBuf::from("README.md"), PathBuf::from("ARCHITECTURE.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| p.strip_prefix(root()).unwrap().to_path_buf())
        .collect();
    docs.sort();
    assert!(!docs.is_empty(), "no docs/*.md");
    files.extend(docs);
    files
}

fn read(rel: &Path) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap()
}

/// A fenced code block: its info string (`sh`, `cron`, …) and its lines (1-based line number,
/// text with the opening fence's indentation removed).
struct Fence {
    lang: String,
    lines: Vec<(usize, String)>,
}

/// Splits a markdown file into its fenced code blocks and the rest (line number, text).
fn fences_and_prose(text: &str) -> (Vec<Fence>, Vec<(usize, String)>) {
    let (mut fences, mut prose) = (Vec::new(), Vec::new());
    let mut open: Option<(Fence, usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let marker = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m));
        match (&mut open, marker) {
            (None, Some(m)) => {
                let run: String = trimmed.chars().take_while(|c| m.starts_with(*c)).collect();
                let lang = trimmed[run.len()..].trim().to_string();
                open = Some((
                    Fence {
                        lang,
                        lines: Vec::new(),
                    },
                    indent,
                    run,
                ));
            }
            (Some((_, _, run)), Some(_)) if trimmed.trim_end() == run.as_str() => {
                fences.push(open.take().unwrap().0);
            }
            (Some((fence, fence_indent, _)), _) => {
                let cut = line
                    .char_indices()
                    .take_while(|(j, c)| *j < *fence_indent && *c == ' ')
                    .count();
                fence.lines.push((n, line[cut..].to_string()));
            }
            (None, None) => prose.push((n, line.to_string())),
        }
    }
    assert!(open.is_none(), "an unclosed code fence");
    (fences, prose)
}

/// A line without its inline code spans (`` `…` ``), which hold no links.
fn without_code_spans(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        out.push_str(&rest[..start]);
        let run = rest[start..].chars().take_while(|c| *c == '`').count();
        let fence = "`".repeat(run);
        let after = &rest[start + run..];
        match after.find(&fence) {
            Some(end) => rest = &after[end + run..],
            None => {
                rest = after;
                out.push_str(&fence);
            }
        }
    }
    out.push_str(rest);
    out
}

/// The targets of the inline links (`[text](target)`, images too) and link reference
/// definitions (`[label]: target`) in a line of prose.
fn link_targets(line: &str) -> Vec<String> {
    let line = without_code_spans(line);
    let mut out = Vec::new();
    if let Some(rest) = line.trim_start().strip_prefix('[')
        && let Some((_, target)) = rest.split_once("]: ")
    {
        out.push(target.split_whitespace().next().unwrap_or("").to_string());
    }
    let mut rest = line.as_str();
    while let Some(i) = rest.find("](") {
        let after = &rest[i + 2..];
        let mut depth = 0;
        let end = after
            .char_indices()
            .find(|&(_, c)| match c {
                '(' => {
                    depth += 1;
                    false
                }
                ')' if depth == 0 => true,
                ')' => {
                    depth -= 1;
                    false
                }
                _ => false,
            })
            .map_or(after.len(), |(j, _)| j);
        let target = after[..end].trim();
        // `[text](target "title")`
        let target = target.split_once(" \"").map_or(target, |(t, _)| t);
        out.push(target.trim_matches(['<', '>']).to_string());
        rest = &after[end.min(after.len())..];
    }
    out
}

/// GitHub's anchor for a heading: its rendered text lower-cased, spaces to `-`, punctuation
/// other than `-` and `_` removed (backticks and emphasis too), letters and numbers of every
/// script (Arabic included) and combining marks kept.
fn slug(heading: &str) -> String {
    // A link in a heading renders as its text.
    let link = regex::Regex::new(r"\[([^\]]*)\]\([^)]*\)").unwrap();
    let text = link.replace_all(heading.trim(), "$1");
    text.to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() || is_combining_mark(c) => Some(c),
            _ => None,
        })
        .collect()
}

/// Combining marks that headings here may carry: Latin diacritics and Arabic harakat.
fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}')
}

/// The anchors of a markdown file's ATX headings, with `-1`, `-2`, … for repeats.
fn anchors(text: &str) -> BTreeSet<String> {
    let (_, prose) = fences_and_prose(text);
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = BTreeSet::new();
    for (_, line) in prose {
        let trimmed = line.trim_start();
        let hashes = trimmed.chars().take_while(|c| *c == '#').count();
        if !(1..=6).contains(&hashes) || !trimmed[hashes..].starts_with([' ', '\t']) {
            continue;
        }
        let title = trimmed[hashes..].trim().trim_end_matches('#').trim_end();
        let base = slug(title);
        let count = seen.entry(base.clone()).or_insert(0);
        out.insert(if *count == 0 {
            base
        } else {
            format!("{base}-{count}")
        });
        *count += 1;
    }
    out
}

/// Every broken relative link in one file's text (`rel` is its path in the repository).
fn broken_links(rel: &Path, text: &str) -> Vec<String> {
    let (_, prose) = fences_and_prose(text);
    let dir = rel.parent().unwrap_or(Path::new(""));
    let mut broken = Vec::new();
    for (n, line) in prose {
        for target in link_targets(&line) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (path, anchor) = match target.split_once('#') {
                Some((p, a)) => (p, Some(a)),
                None => (target.as_str(), None),
            };
            let where_ = format!("{}:{n}: [..]({target})", rel.display());
            if path.is_empty() {
                let anchor = anchor.unwrap_or_default();
                if !anchors(text).contains(anchor) {
                    broken.push(format!("{where_}: no heading with anchor #{anchor} here"));
                }
                continue;
            }
            let file = normalise(&dir.join(path));
            if !root().join(&file).exists() {
                broken.push(format!("{where_}: no file {}", file.display()));
                continue;
            }
            let Some(anchor) = anchor else { continue };
            if file.extension().is_none_or(|e| e != "md") {
                broken.push(format!(
                    "{where_}: an anchor into a file that is not markdown"
                ));
            } else if !anchors(&read(&file)).contains(anchor) {
                broken.push(format!(
                    "{where_}: no heading with anchor #{anchor} in {}",
                    file.display()
                ));
            }
        }
    }
    broken
}

/// `docs/../README.md` as `README.md`.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[test]
fn every_relative_link_and_anchor_leads_somewhere() {
    let mut broken = Vec::new();
    for rel in doc_files() {
        broken.extend(broken_links(&rel, &read(&rel)));
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn slugs_are_githubs() {
    assert_eq!(
        slug("The export format (a public contract)"),
        "the-export-format-a-public-contract"
    );
    assert_eq!(
        slug("`arshif run --config FILE` and `arshif revisit --config FILE`"),
        "arshif-run---config-file-and-arshif-revisit---config-file"
    );
    assert_eq!(
        slug("The archivist's commands: `list`, `show`"),
        "the-archivists-commands-list-show"
    );
    assert_eq!(
        slug("Search: «المقال التالي» and **`déjà_vu`**"),
        "search-المقال-التالي-and-déjà_vu"
    );
    assert_eq!(
        slug("See [the guide](cron.md) first"),
        "see-the-guide-first"
    );
    let text = "# A\n## Same\n```\n# not a heading\n```\n### Same\n#### Same #\n#hashtag\n";
    assert_eq!(
        anchors(text),
        ["a", "same", "same-1", "same-2"]
            .map(String::from)
            .into_iter()
            .collect()
    );
}

#[test]
fn a_broken_link_is_caught() {
    let text = "[ok](#real) [ok](schema.md#tables) [web](https://example.org/x#y) `[code](nowhere.md)`\n\
                # Real\n[bad](nowhere.md) [bad](#unreal) [bad](schema.md#no-such-heading)\n\
                ```\n[in a block](nowhere.md)\n```\n";
    let broken = broken_links(Path::new("docs/x.md"), text);
    assert_eq!(broken.len(), 3, "{broken:#?}");
    assert!(broken[0].starts_with("docs/x.md:3: [..](nowhere.md): no file docs/nowhere.md"));
}

/// Splits a shell command line into words the way `sh` would for a simple command: quotes,
/// backslashes, and a `#` comment; the command ends at a pipe, a redirection, `;` or `&` (a file
/// descriptor number before a redirection is dropped).
fn shell_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => {
                words.extend(word.take());
            }
            '#' if word.is_none() => break,
            '|' | ';' | '&' | '<' | '>' => {
                if matches!(c, '<' | '>')
                    && word
                        .as_ref()
                        .is_some_and(|w| w.chars().all(|d| d.is_ascii_digit()))
                {
                    word = None;
                }
                break;
            }
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(q) => w.push(q),
                        None => return Err("an unclosed ' quote".into()),
                    }
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') if chars.peek().is_some_and(|n| "\"\\$`".contains(*n)) => {
                            w.push(chars.next().unwrap());
                        }
                        Some(q) => w.push(q),
                        None => return Err("an unclosed \" quote".into()),
                    }
                }
            }
            '\\' => match chars.next() {
                Some(e) => word.get_or_insert_with(String::new).push(e),
                None => return Err("a trailing backslash".into()),
            },
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    Ok(words)
}

/// The arguments after the program name if `words` run arshif: `arshif …`, `/path/to/arshif …`,
/// `ExecStart=/usr/local/bin/arshif …`, a crontab line's command, or `cargo run … -- …`.
fn arshif_args(lang: &str, words: &[String]) -> Option<Vec<String>> {
    let is_arshif = |w: &str| w == "arshif" || w.ends_with("/arshif");
    let first = words.first()?;
    if is_arshif(first.strip_prefix("ExecStart=").unwrap_or(first)) {
        return Some(words[1..].to_vec());
    }
    if lang == "cron" && words.len() > 5 && is_arshif(&words[5]) {
        return Some(words[6..].to_vec());
    }
    if words.len() > 2 && words[0] == "cargo" && words[1] == "run" {
        let dashes = words.iter().position(|w| w == "--")?;
        return Some(words[dashes + 1..].to_vec());
    }
    None
}

/// Every command line in the code blocks of one file that runs arshif, with its line number:
/// lines starting with `arshif ` or `$ arshif ` (and the other forms of [`arshif_args`]),
/// continued over lines ending in `\`.
fn command_lines(text: &str) -> Vec<(usize, String, Result<Vec<String>, String>)> {
    let (fences, _) = fences_and_prose(text);
    let mut out = Vec::new();
    for fence in fences {
        let mut lines = fence.lines.iter();
        while let Some((n, line)) = lines.next() {
            let mut line = line.trim_start().to_string();
            if let Some(rest) = line.strip_prefix("$ ") {
                line = rest.to_string();
            }
            let looks_like = line.starts_with("arshif ")
                || line.starts_with("cargo run ")
                || (line.starts_with("ExecStart=") && line.contains("arshif "))
                || (fence.lang == "cron" && !line.starts_with('#') && line.contains("arshif "));
            if !looks_like {
                continue;
            }
            while let Some(cont) = line.strip_suffix('\\') {
                line = cont.to_string();
                match lines.next() {
                    Some((_, next)) => line.push_str(next),
                    None => break,
                }
            }
            let parsed = shell_words(&line).and_then(|words| {
                arshif_args(&fence.lang, &words).ok_or_else(|| "not an arshif command".to_string())
            });
            if let Ok(args) = &parsed
                && line.starts_with("cargo run ")
                && args.is_empty()
            {
                continue;
            }
            out.push((*n, line, parsed));
        }
    }
    out
}

/// Why clap refuses these arguments, if it does.
fn cli_error(args: &[String]) -> Option<String> {
    match arshif::cli::Cli::try_parse_from(
        std::iter::once("arshif".to_string()).chain(args.iter().cloned()),
    ) {
        Ok(_) => None,
        Err(e)
            if matches!(
                e.kind(),
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion
            ) =>
        {
            None
        }
        Err(e) => Some(e.to_string()),
    }
}

fn bad_command_lines(rel: &Path, text: &str) -> Vec<String> {
    let mut bad = Vec::new();
    for (n, line, parsed) in command_lines(text) {
        let error = match parsed {
            Ok(args) => cli_error(&args),
            Err(e) => Some(e),
        };
        if let Some(error) = error {
            bad.push(format!(
                "{}:{n}: {line}\n{}",
                rel.display(),
                error.trim_end()
            ));
        }
    }
    bad
}

#[test]
fn every_command_line_in_the_docs_parses() {
    let (mut bad, mut checked) = (Vec::new(), 0);
    for rel in doc_files() {
        let text = read(&rel);
        checked += command_lines(&text).len();
        bad.extend(bad_command_lines(&rel, &text));
    }
    assert!(checked >= 15, "only {checked} command lines found");
    assert!(
        bad.is_empty(),
        "command lines that do not parse:\n\n{}",
        bad.join("\n\n")
    );
}

#[test]
fn a_bad_command_line_is_caught() {
    let text = "```sh\n$ arshif crawl URL --rate 0.5 # a comment\narshif export --db a.db > out.jsonl\n\
                arshif crawl URL \\\n    --max-article 3\ncargo run --release -- demo --no-such-flag\n```\n\
                ```cron\n* * * * *  /usr/bin/arshif run --config 'my file.toml' 2>> log\n```\n";
    let lines = command_lines(text);
    assert_eq!(lines.len(), 5);
    assert_eq!(
        lines[4].2.as_ref().unwrap(),
        &["run", "--config", "my file.toml"].map(String::from)
    );
    let bad = bad_command_lines(Path::new("docs/x.md"), text);
    assert_eq!(bad.len(), 2, "{bad:#?}");
    assert!(bad[0].starts_with("docs/x.md:4: arshif crawl URL     --max-article 3\nerror: unexpected argument '--max-article'"), "{}", bad[0]);
    assert!(bad[1].contains("--no-such-flag"));
    assert_eq!(
        shell_words(r#"a "b \"c\"" 'd e'\ f # g"#).unwrap(),
        ["a", "b \"c\"", "d e f"]
    );
    assert!(shell_words("arshif search 'open").is_err());
}

/// An example shown with its output: the command line and the lines after it.
struct Example {
    line: usize,
    command: String,
    shown: String,
}

/// The examples on `archive.db.example` in one file's code blocks: a `$ arshif … --db
/// archive.db.example` line and its output, up to the next `$ ` line or the end of the block
/// (`redact` writes, so its example is not run again).
fn examples(text: &str) -> Vec<Example> {
    let (fences, _) = fences_and_prose(text);
    let mut out = Vec::new();
    for fence in fences {
        let mut current: Option<(Example, Vec<String>)> = None;
        for (n, line) in fence.lines.iter().chain([(0, "$ ".to_string())].iter()) {
            let Some(command) = line.trim_start().strip_prefix("$ ") else {
                if let Some((_, shown)) = &mut current {
                    shown.push(line.clone());
                }
                continue;
            };
            if let Some((mut example, mut shown)) = current.take() {
                while shown.last().is_some_and(|l| l.trim().is_empty()) {
                    shown.pop();
                }
                example.shown = shown.join("\n");
                out.push(example);
            }
            if command.starts_with("arshif ")
                && command.contains("--db archive.db.example")
                && !command.contains(" redact ")
            {
                let example = Example {
                    line: *n,
                    command: command.to_string(),
                    shown: String::new(),
                };
                current = Some((example, Vec::new()));
            }
        }
    }
    out
}

/// `show`'s output as the docs shorten it (`scripts/readme-examples.py`): the first eight lines,
/// each line over 110 characters that is not a URL cut to 110 and an ellipsis.
fn shorten(text: &str) -> String {
    let lines: Vec<String> = text
        .split('\n')
        .take(8)
        .map(|l| {
            if l.chars().count() <= 110 || l.starts_with("http") {
                l.to_string()
            } else {
                l.chars().take(110).collect::<String>() + "…"
            }
        })
        .collect();
    lines.join("\n") + "\n(lines shortened here)"
}

/// Runs arshif on a copy of `archive.db.example` in its own folder, so that nothing is written
/// beside the repository's copy.
fn run_on_example(dir: &Path, args: &[String]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_arshif"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("ARSHIF_LOG")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "arshif {args:?}: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .trim_end_matches('\n')
        .to_string()
}

fn example_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("archive.db.example"),
        dir.path().join("archive.db.example"),
    )
    .unwrap();
    dir
}

fn stale_examples(dir: &Path, rel: &Path, text: &str) -> (usize, Vec<String>) {
    let mut stale = Vec::new();
    let found = examples(text);
    for ex in &found {
        let args = shell_words(&ex.command).unwrap();
        let mut printed = run_on_example(dir, &args[1..]);
        if args[1] == "show" {
            printed = shorten(&printed);
        }
        if printed != ex.shown {
            stale.push(format!(
                "{}:{}: $ {}\n--- shown\n{}\n+++ printed now (scripts/readme-examples.py refreshes it)\n{printed}",
                rel.display(),
                ex.line,
                ex.command,
                ex.shown
            ));
        }
    }
    (found.len(), stale)
}

#[test]
fn the_examples_on_archive_db_example_print_what_they_show() {
    let dir = example_dir();
    let (mut stale, mut checked) = (Vec::new(), 0);
    for rel in doc_files() {
        let (n, s) = stale_examples(dir.path(), &rel, &read(&rel));
        checked += n;
        stale.extend(s);
    }
    assert!(checked >= 6, "only {checked} examples found");
    assert!(
        stale.is_empty(),
        "examples whose output changed:\n\n{}",
        stale.join("\n\n")
    );
}

#[test]
fn a_stale_example_is_caught() {
    let dir = example_dir();
    let text = "```\n$ arshif stats --db archive.db.example\narticles   15\n\n$ arshif list --db archive.db.example --site nowhere.test\n```\n";
    let (n, stale) = stale_examples(dir.path(), Path::new("x.md"), text);
    assert_eq!(n, 2);
    assert_eq!(stale.len(), 1, "{stale:#?}");
    assert!(stale[0].starts_with("x.md:2: $ arshif stats"));
}

/// The export record shown in `docs/export.md` is the one `export` prints, body shortened to 60
/// characters as `scripts/readme-examples.py` shortens it.
#[test]
fn the_export_record_shown_is_the_one_printed() {
    let doc = read(Path::new("docs/export.md"));
    let marker = "A real record, from `archive.db.example` (body shortened):\n\n```json\n";
    let start = doc.find(marker).expect("the export record") + marker.len();
    let shown: serde_json::Value =
        serde_json::from_str(doc[start..].lines().next().unwrap()).unwrap();
    let dir = example_dir();
    let printed = run_on_example(
        dir.path(),
        &["export".into(), "--db".into(), "archive.db.example".into()],
    );
    let mut record: serde_json::Value = printed
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|r| r["url"].as_str().unwrap().ends_with("1188.html") && r["version"] == 1)
        .unwrap();
    let body: String = record["body"].as_str().unwrap().chars().take(60).collect();
    record["body"] = format!("{body}…").into();
    let keys = |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&shown), keys(&record), "the keys, in order");
    assert_eq!(shown, record);
}
