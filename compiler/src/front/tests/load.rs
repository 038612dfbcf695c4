//! Tests of the Include loader: resolution order, each file once, cycles, built-ins, errors.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::diag::{plain_lines, Diagnostics, SourceMap};
use crate::front::load::{load, LoadOptions};
use crate::front::syntax::{DocKind, Document};

/// A fresh folder under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("lemsc-load-{}-{tag}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    /// Writes a file (creating folders) and gives its path.
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn lems_including(files: &[&str]) -> String {
    let mut s = String::from("<Lems>\n");
    for f in files {
        s.push_str(&format!("  <Include file=\"{f}\"/>\n"));
    }
    s.push_str("</Lems>\n");
    s
}

fn run(roots: &[PathBuf], dirs: &[PathBuf]) -> (SourceMap, Vec<Document>, Diagnostics) {
    let mut sources = SourceMap::new();
    let opts = LoadOptions {
        include_dirs: dirs.to_vec(),
    };
    let (docs, diags) = load(&mut sources, roots, &opts);
    (sources, docs, diags)
}

/// The file name of each document, in order.
fn names(sources: &SourceMap, docs: &[Document]) -> Vec<String> {
    docs.iter()
        .map(|d| {
            let path = &sources.file(d.file).path;
            path.file_name().unwrap().to_string_lossy().into_owned()
        })
        .collect()
}

fn rendered(sources: &SourceMap, diags: &Diagnostics) -> Vec<String> {
    plain_lines(sources, &diags.list)
}

fn assert_clean(sources: &SourceMap, diags: &Diagnostics) {
    assert!(
        diags.list.is_empty(),
        "unexpected diagnostics: {:#?}",
        rendered(sources, diags)
    );
}

#[test]
fn included_files_come_before_their_includers() {
    let t = TempDir::new("order");
    let main = t.write("main.xml", &lems_including(&["a.xml", "b.xml"]));
    t.write("a.xml", &lems_including(&["sub/c.xml"]));
    t.write("b.xml", "<Lems/>");
    t.write("sub/c.xml", "<Lems/>");
    let (sources, docs, diags) = run(&[main], &[]);
    assert_clean(&sources, &diags);
    assert_eq!(
        names(&sources, &docs),
        ["c.xml", "a.xml", "b.xml", "main.xml"]
    );
    assert!(docs.iter().all(|d| d.kind == DocKind::Lems && !d.builtin));
}

#[test]
fn includes_resolve_relative_to_the_including_file() {
    let t = TempDir::new("relative");
    let main = t.write("main.xml", &lems_including(&["sub/a.xml"]));
    // sub/a.xml names b.xml, which sits beside it, not beside main.xml.
    t.write("sub/a.xml", &lems_including(&["b.xml"]));
    t.write("sub/b.xml", "<Lems><Dimension name=\"sub\"/></Lems>");
    t.write("b.xml", "<Lems><Dimension name=\"top\"/></Lems>");
    let (sources, docs, diags) = run(&[main], &[]);
    assert_clean(&sources, &diags);
    assert_eq!(docs[0].root.children[0].attr_value("name"), Some("sub"));
}

#[test]
fn a_diamond_loads_the_shared_file_once() {
    let t = TempDir::new("diamond");
    let main = t.write("main.xml", &lems_including(&["a.xml", "b.xml", "./c.xml"]));
    t.write("a.xml", &lems_including(&["c.xml"]));
    t.write("b.xml", &lems_including(&["c.xml"]));
    t.write("c.xml", "<Lems/>");
    let (sources, docs, diags) = run(&[main.clone(), main], &[]);
    assert_clean(&sources, &diags);
    assert_eq!(
        names(&sources, &docs),
        ["c.xml", "a.xml", "b.xml", "main.xml"]
    );
}

#[test]
fn a_cycle_is_an_error_at_the_closing_include() {
    let t = TempDir::new("cycle");
    let main = t.write("main.xml", &lems_including(&["first.xml"]));
    t.write("first.xml", &lems_including(&["second.xml"]));
    t.write(
        "second.xml",
        "<Lems>\n    <Dimension name=\"time\" t=\"1\"/>\n    <Include file=\"first.xml\"/>\n</Lems>\n",
    );
    let (sources, docs, diags) = run(&[main], &[]);
    let msgs = rendered(&sources, &diags);
    assert_eq!(msgs.len(), 1, "{msgs:#?}");
    assert!(msgs[0].contains("second.xml:3:20: error:"), "{}", msgs[0]);
    assert!(
        msgs[0].contains("first.xml -> second.xml -> first.xml"),
        "{}",
        msgs[0]
    );
    // The files themselves are still read, each once.
    assert_eq!(
        names(&sources, &docs),
        ["second.xml", "first.xml", "main.xml"]
    );
}

#[test]
fn a_file_including_itself_is_a_cycle() {
    let t = TempDir::new("self");
    let main = t.write("self.xml", &lems_including(&["self.xml"]));
    let (sources, _, diags) = run(&[main], &[]);
    let msgs = rendered(&sources, &diags);
    assert!(msgs[0].contains("self.xml -> self.xml"), "{msgs:#?}");
}

#[test]
fn a_missing_include_says_where_it_looked() {
    let t = TempDir::new("missing");
    let extra = t.write("extra/keep.txt", "");
    let main = t.write(
        "main.xml",
        &lems_including(&["Cells.xml", "MyChannels.xml"]),
    );
    let (sources, docs, diags) = run(&[main], &[extra.parent().unwrap().to_path_buf()]);
    let msgs = rendered(&sources, &diags);
    assert_eq!(msgs.len(), 1, "{msgs:#?}");
    assert!(
        msgs[0].starts_with(&format!(
            "{}:3:18: error: cannot find included file 'MyChannels.xml'",
            t.0.join("main.xml").display()
        )),
        "{}",
        msgs[0]
    );
    let d = &diags.list[0];
    assert!(d.notes[0].contains(&t.0.join("MyChannels.xml").display().to_string()));
    assert!(d.notes[0].contains(
        &t.0.join("extra")
            .join("MyChannels.xml")
            .display()
            .to_string()
    ));
    assert!(d.notes[0].contains("built-in"));
    // Loading carried on: the built-in Cells.xml (with what it includes) and main.xml.
    assert!(docs
        .iter()
        .any(|d| sources.file(d.file).display == "<lems-defs>/Cells.xml"));
    assert!(!docs.last().unwrap().builtin);
    assert_eq!(docs.iter().filter(|d| !d.builtin).count(), 1);
}

#[test]
fn an_include_without_its_attribute_is_an_error_at_the_element() {
    let t = TempDir::new("noattr");
    let main = t.write("main.xml", "<Lems>\n  <Include fle=\"a.xml\"/>\n</Lems>");
    let (sources, _, diags) = run(&[main], &[]);
    let msgs = rendered(&sources, &diags);
    assert!(
        msgs[0].contains("main.xml:2:4: error: <Include> needs a file="),
        "{msgs:#?}"
    );
}

#[test]
fn built_in_definitions_are_the_fallback() {
    let t = TempDir::new("builtin");
    let main = t.write(
        "main.xml",
        &lems_including(&["Cells.xml", "NeuroML2CoreTypes/Inputs.xml"]),
    );
    let (sources, docs, diags) = run(&[main], &[]);
    assert_clean(&sources, &diags);
    let cells = docs
        .iter()
        .find(|d| sources.file(d.file).display == "<lems-defs>/Cells.xml");
    let cells = cells.expect("Cells.xml comes from the built-ins");
    assert!(cells.builtin);
    assert_eq!(
        sources.file(cells.file).path,
        Path::new("<lems-defs>/Cells.xml")
    );
    assert!(docs
        .iter()
        .any(|d| d.builtin && sources.file(d.file).display == "<lems-defs>/Inputs.xml"));
    assert!(!docs.last().unwrap().builtin);
    // Each built-in once, even when named twice.
    let mut shown: Vec<_> = docs.iter().map(|d| &sources.file(d.file).display).collect();
    let before = shown.len();
    shown.sort();
    shown.dedup();
    assert_eq!(shown.len(), before);
}

#[test]
fn include_folders_override_built_ins_but_not_neighbours() {
    let t = TempDir::new("override");
    let dir = t.0.join("release");
    t.write(
        "release/Cells.xml",
        "<Lems><Dimension name=\"fromI\"/></Lems>",
    );
    t.write(
        "release/Inputs.xml",
        "<Lems><Dimension name=\"fromI\"/></Lems>",
    );
    t.write(
        "model/Inputs.xml",
        "<Lems><Dimension name=\"beside\"/></Lems>",
    );
    let main = t.write(
        "model/main.xml",
        &lems_including(&["Cells.xml", "Inputs.xml"]),
    );
    let (sources, docs, diags) = run(&[main], &[dir]);
    assert_clean(&sources, &diags);
    assert_eq!(docs.len(), 3);
    assert!(docs.iter().all(|d| !d.builtin));
    assert_eq!(docs[0].root.children[0].attr_value("name"), Some("fromI"));
    assert_eq!(docs[1].root.children[0].attr_value("name"), Some("beside"));
}

#[test]
fn includes_inside_a_substituted_core_file_fall_back_to_built_ins() {
    let t = TempDir::new("core");
    let dir = t.0.join("core");
    t.write(
        "core/NeuroML2CoreTypes.xml",
        &lems_including(&["Cells.xml"]),
    );
    let nml = t.write("model/cell.nml", "<neuroml id=\"x\"/>");
    let (sources, docs, diags) = run(&[nml], &[dir]);
    assert_clean(&sources, &diags);
    let shown: Vec<_> = docs
        .iter()
        .map(|d| sources.file(d.file).display.clone())
        .collect();
    // The substituted core file is the only core file read from disk; what it includes (and
    // the other implicit core files) come from the built-ins.
    let n = shown.len();
    let on_disk: Vec<_> = (0..n - 1).filter(|&i| !docs[i].builtin).collect();
    assert_eq!(on_disk.len(), 1, "{shown:?}");
    assert!(
        shown[on_disk[0]].ends_with("NeuroML2CoreTypes.xml"),
        "{shown:?}"
    );
    assert!(
        shown.contains(&"<lems-defs>/Cells.xml".to_owned()),
        "{shown:?}"
    );
    assert_eq!(docs.last().unwrap().kind, DocKind::NeuroML);
}

#[test]
fn a_neuroml_root_gets_the_core_types_first() {
    let t = TempDir::new("nml");
    let nml = t.write(
        "cell.nml",
        "<neuroml id=\"x\">\n  <include href=\"other.nml\"/>\n  <cell id=\"c\">\n    <segmentGroup id=\"g\">\n      <include segmentGroup=\"soma\"/>\n    </segmentGroup>\n  </cell>\n</neuroml>\n",
    );
    t.write("other.nml", "<neuroml id=\"y\"/>");
    let (sources, docs, diags) = run(&[nml], &[]);
    assert_clean(&sources, &diags);
    // The core types (and everything they include) come before the user's files.
    let shown: Vec<_> = docs
        .iter()
        .map(|d| sources.file(d.file).display.as_str())
        .collect();
    for core in ["NeuroML2CoreTypes.xml", "PyNN.xml", "Simulation.xml"] {
        assert!(
            shown.contains(&format!("<lems-defs>/{core}").as_str()),
            "{shown:?}"
        );
    }
    let first_user = docs.iter().position(|d| !d.builtin).unwrap();
    assert!(docs[first_user..].iter().all(|d| !d.builtin));
    let tail = names(&sources, &docs);
    assert_eq!(tail[tail.len() - 2..], ["other.nml", "cell.nml"]);
    assert_eq!(docs.last().unwrap().kind, DocKind::NeuroML);
}

#[test]
fn a_lems_root_gets_no_implicit_core_types() {
    let t = TempDir::new("lemsroot");
    let main = t.write("main.xml", &lems_including(&["cell.nml"]));
    t.write("cell.nml", "<neuroml id=\"x\"/>");
    let (sources, docs, diags) = run(&[main], &[]);
    assert_clean(&sources, &diags);
    assert_eq!(names(&sources, &docs), ["cell.nml", "main.xml"]);
}

#[test]
fn a_wrong_root_element_is_refused() {
    let t = TempDir::new("root");
    let html = t.write("page.xml", "<?xml version=\"1.0\"?>\n<html>\n</html>");
    let lower = t.write("lower.xml", "<lems/>");
    let (sources, docs, diags) = run(&[html, lower], &[]);
    let msgs = rendered(&sources, &diags);
    assert_eq!(msgs.len(), 2, "{msgs:#?}");
    assert!(
        msgs[0].contains(
            "page.xml:2:2: error: expected <Lems> or <neuroml> as the root element, found <html>"
        ),
        "{}",
        msgs[0]
    );
    assert!(
        msgs[1].contains("found <lems>") && msgs[1].contains("case-sensitive"),
        "{}",
        msgs[1]
    );
    assert!(docs.is_empty());
}

#[test]
fn an_unreadable_root_names_the_path_and_the_os_error() {
    let t = TempDir::new("unreadable");
    let missing = t.0.join("nope.xml");
    let (_, docs, diags) = run(std::slice::from_ref(&missing), &[]);
    assert!(docs.is_empty());
    let d = &diags.list[0];
    assert!(d.primary.is_none());
    assert!(
        d.message.contains(&missing.display().to_string()),
        "{}",
        d.message
    );
    assert!(d.message.contains("No such file"), "{}", d.message);
}

#[test]
fn invalid_utf8_points_at_the_first_bad_byte() {
    let t = TempDir::new("utf8");
    let path = t.0.join("bad.xml");
    std::fs::write(&path, b"<Lems>\n  <a/>\n  <!-- caf\xe9 -->\n</Lems>\n").unwrap();
    let (sources, docs, diags) = run(&[path], &[]);
    let msgs = rendered(&sources, &diags);
    assert!(docs.is_empty());
    assert!(
        msgs[0].contains("bad.xml:3:11: error: invalid utf-8: found byte 0xe9"),
        "{}",
        msgs[0]
    );
    // The span covers the replacement character the bad byte became, no more, no less.
    let (span, _) = diags.list[0].primary.clone().unwrap();
    assert_eq!(sources.snippet(span), "\u{fffd}");
}

#[test]
fn errors_in_several_files_are_all_reported() {
    let t = TempDir::new("several");
    let main = t.write("main.xml", &lems_including(&["a.xml", "b.xml", "c.xml"]));
    t.write("a.xml", "<Lems><x></y></Lems>");
    t.write("b.xml", "<Lems a='1' a='2'/>");
    t.write("c.xml", "<Lems/>");
    let (sources, docs, diags) = run(&[main], &[]);
    let msgs = rendered(&sources, &diags);
    assert_eq!(msgs.len(), 2, "{msgs:#?}");
    assert!(
        msgs[0].contains("a.xml:1:12") && msgs[0].contains("mismatched"),
        "{}",
        msgs[0]
    );
    assert!(
        msgs[1].contains("b.xml:1:13") && msgs[1].contains("duplicate"),
        "{}",
        msgs[1]
    );
    assert_eq!(names(&sources, &docs), ["c.xml", "main.xml"]);
}

/// Every official example loads without a diagnostic.
#[test]
fn the_official_examples_load_cleanly() {
    let shared = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/neuroml2"
    ));
    if !shared.is_dir() {
        println!("skipped: {} is absent", shared.display());
        return;
    }
    let mut roots = Vec::new();
    for (folder, keep) in [
        (
            "LEMSexamples",
            (|n: &str| n.starts_with("LEMS_NML2_Ex") && n.ends_with(".xml")) as fn(&str) -> bool,
        ),
        ("examples", |n: &str| n.ends_with(".nml")),
    ] {
        let mut found: Vec<PathBuf> = std::fs::read_dir(shared.join(folder))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| keep(&p.file_name().unwrap().to_string_lossy()))
            .collect();
        found.sort();
        roots.extend(found);
    }
    assert!(roots.len() > 20, "found only {} examples", roots.len());
    for root in roots {
        let (sources, docs, diags) = run(std::slice::from_ref(&root), &[]);
        assert_clean(&sources, &diags);
        assert!(!docs.last().unwrap().builtin, "{}", root.display());
    }
}

/// The official core types, given with `-I`, replace our built-ins and load cleanly.
#[test]
fn the_official_core_types_load_from_an_include_folder() {
    let shared = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/neuroml2"
    ));
    let core = shared.join("NeuroML2CoreTypes");
    if !core.is_dir() {
        println!("skipped: {} is absent", core.display());
        return;
    }
    let example = shared.join("examples/NML2_SingleCompHHCell.nml");
    let (sources, docs, diags) = run(&[example], &[core]);
    assert_clean(&sources, &diags);
    assert!(docs.len() > 5);
    assert!(docs.iter().all(|d| !d.builtin));
}

/// The frontend cases of the bad-input corpus give their expected line and phrases.
#[test]
fn the_bad_input_corpus_is_refused_where_expected() {
    let bad = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../testsuite/bad"));
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "malformed_mismatched_tag.xml",
            "malformed_mismatched_tag.xml:4:",
            &["</Lems>", "pulseGenerator"],
        ),
        (
            "malformed_attribute.xml",
            "malformed_attribute.xml:3:",
            &["attribute"],
        ),
        (
            "duplicate_attribute.xml",
            "duplicate_attribute.xml:4:",
            &["duplicate", "delay"],
        ),
        (
            "missing_include.xml",
            "missing_include.xml:3:",
            &["MyChannels.xml"],
        ),
        (
            "cyclic_include/main.xml",
            "second.xml:3:",
            &["first.xml -> second.xml -> first.xml"],
        ),
        ("entity_bomb.xml", "entity_bomb.xml:2:", &["DOCTYPE"]),
        ("empty.xml", "empty.xml:1:", &["root element"]),
        ("binary_junk.xml", "binary_junk.xml:1:", &["utf-8"]),
        ("invalid_utf8.xml", "invalid_utf8.xml:3:", &["utf-8"]),
        ("wrong_root.xml", "wrong_root.xml:2:", &["html", "Lems"]),
        ("text_after_root.xml", "text_after_root.xml:4:", &["root"]),
    ];
    for (case, location, phrases) in cases {
        let (sources, _, diags) = run(&[bad.join(case)], &[]);
        let msgs = rendered(&sources, &diags);
        assert_eq!(msgs.len(), 1, "{case}: {msgs:#?}");
        println!("{}", msgs[0]);
        assert!(msgs[0].contains(location), "{case}: {}", msgs[0]);
        for p in *phrases {
            assert!(msgs[0].contains(p), "{case}: '{p}' not in {}", msgs[0]);
        }
    }
}

#[test]
fn a_very_deep_include_chain_is_refused_without_exhausting_the_stack() {
    let dir = TempDir::new("deep");
    let depth = crate::front::load::MAX_INCLUDE_DEPTH + 50;
    for i in 0..depth {
        dir.write(
            &format!("f{i}.xml"),
            &lems_including(&[&format!("f{}.xml", i + 1)]),
        );
    }
    dir.write(&format!("f{depth}.xml"), "<Lems/>");
    let (sources, _, diags) = run(&[dir.0.join("f0.xml")], &[]);
    let lines = rendered(&sources, &diags);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(lines[0].contains("nested more than"), "{}", lines[0]);
    assert!(lines[0].contains(".xml:2:"), "{}", lines[0]);
}

#[test]
fn an_xinclude_is_not_a_model_include() {
    let dir = TempDir::new("xi");
    dir.write("secret.xml", "<Lems/>");
    let root = dir.write(
        "model.nml",
        "<neuroml xmlns:xi=\"http://www.w3.org/2001/XInclude\">\n  <xi:include href=\"secret.xml\"/>\n</neuroml>\n",
    );
    let (sources, docs, diags) = run(&[root], &[]);
    let lines = rendered(&sources, &diags);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(lines[0].contains("model.nml:2:7"), "{}", lines[0]);
    assert!(
        lines[0].contains("<xi:include> is not a NeuroML include"),
        "{}",
        lines[0]
    );
    assert!(!names(&sources, &docs).contains(&"secret.xml".to_string()));
}

#[test]
fn a_file_that_is_not_a_model_is_reported_with_the_line_that_included_it() {
    let dir = TempDir::new("notmodel");
    dir.write("notes.txt", "just some text\n");
    let root = dir.write("main.xml", &lems_including(&["notes.txt"]));
    let (sources, _, diags) = run(&[root], &[]);
    assert_eq!(diags.list.len(), 1);
    let d = &diags.list[0];
    // The error is at the include, and quotes nothing of the file that is not a model.
    let (span, _) = d.primary.clone().unwrap();
    assert_eq!(
        sources.file(span.file).display,
        dir.0.join("main.xml").display().to_string()
    );
    assert!(d.message.contains("is not an XML file"), "{}", d.message);
    let shown = crate::diag::render(&sources, &diags.list, false);
    assert!(!shown.contains("just some text"), "{shown}");
}

#[test]
fn a_malformed_included_model_is_reported_in_it_and_at_the_include() {
    let dir = TempDir::new("badmodel");
    dir.write("cells.xml", "<Lems>\n  <iafCell id=\"a\">\n</Lems>\n");
    let root = dir.write("main.xml", &lems_including(&["cells.xml"]));
    let (sources, _, diags) = run(&[root], &[]);
    assert_eq!(diags.list.len(), 1);
    let d = &diags.list[0];
    let (span, _) = d.primary.clone().unwrap();
    assert!(sources.file(span.file).display.ends_with("cells.xml"));
    let (span, _) = d
        .secondary
        .iter()
        .find(|(_, label)| label == "included here")
        .expect("an 'included here' label");
    assert_eq!(
        sources.file(span.file).display,
        dir.0.join("main.xml").display().to_string()
    );
}
