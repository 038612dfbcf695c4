//! Our built-in definitions (`lems_defs::FILES`) against the official NeuroML2 core types.
//!
//! Both files are read with quick-xml directly so that this check does not depend on the
//! compiler's front end. Every difference is collected and reported by file, type and
//! member, so one run shows everything that is still wrong.

use std::collections::BTreeMap;
use std::fs;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// A bare XML element: tag, attributes (without `description` and namespace noise) and
/// child elements. Comments and text are dropped: LEMS carries no meaning in them.
#[derive(Debug, Clone)]
struct Node {
    tag: String,
    attrs: BTreeMap<String, String>,
    children: Vec<Node>,
}

impl Node {
    fn attr(&self, key: &str) -> Option<&str> {
        self.attrs.get(key).map(String::as_str)
    }

    fn kids<'a>(&'a self, tag: &str) -> impl Iterator<Item = &'a Node> + 'a {
        let tag = tag.to_string();
        self.children.iter().filter(move |c| c.tag == tag)
    }
}

fn is_ignored_attr(key: &str) -> bool {
    key == "description" || key.starts_with("xmlns") || key.starts_with("xsi:")
}

fn node_from_start(start: &BytesStart) -> Node {
    let tag = String::from_utf8_lossy(start.name().as_ref()).into_owned();
    let mut attrs = BTreeMap::new();
    for attr in start.attributes() {
        let attr = attr.expect("well-formed attribute");
        let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
        if is_ignored_attr(&key) {
            continue;
        }
        let value = attr.unescape_value().expect("valid escapes").into_owned();
        attrs.insert(key, value);
    }
    Node {
        tag,
        attrs,
        children: Vec::new(),
    }
}

/// Parses a whole document and returns its root element.
fn parse(file: &str, text: &str) -> Node {
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut stack: Vec<Node> = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(start)) => stack.push(node_from_start(&start)),
            Ok(Event::Empty(start)) => {
                let node = node_from_start(&start);
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => return node,
                }
            }
            Ok(Event::End(_)) => {
                let node = stack.pop().expect("balanced tags");
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => return node,
                }
            }
            Ok(Event::Eof) => panic!("{file}: no root element"),
            Ok(_) => {}
            Err(e) => panic!("{file}: not well-formed XML: {e}"),
        }
    }
}

/// A set of parsed definition files, by file name.
struct DefSet {
    files: BTreeMap<String, Node>,
}

impl DefSet {
    fn official() -> DefSet {
        let dir = lemsc_testsuite::shared_dir().join("neuroml2/NeuroML2CoreTypes");
        let mut files = BTreeMap::new();
        for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.extension().and_then(|e| e.to_str()) != Some("xml") {
                continue;
            }
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let text = fs::read_to_string(&path).unwrap();
            files.insert(name.clone(), parse(&name, &text));
        }
        assert!(!files.is_empty(), "no official files in {}", dir.display());
        DefSet { files }
    }

    fn ours() -> DefSet {
        let files = lems_defs::FILES
            .iter()
            .map(|(name, text)| (name.to_string(), parse(name, text)))
            .collect();
        DefSet { files }
    }

    /// Every top-level element with the given tag, keyed by `key_attr`, with its file.
    fn top_level<'a>(&'a self, tag: &str, key_attr: &str) -> BTreeMap<String, (&'a str, &'a Node)> {
        let mut found = BTreeMap::new();
        for (file, root) in &self.files {
            for node in root.kids(tag) {
                let key = node.attr(key_attr).unwrap_or("").to_string();
                found.insert(key, (file.as_str(), node));
            }
        }
        found
    }
}

/// Collects differences; the test fails at the end with all of them.
#[derive(Default)]
struct Report {
    lines: Vec<String>,
}

impl Report {
    fn add(&mut self, line: String) {
        self.lines.push(line);
    }

    fn finish(self, what: &str) {
        if !self.lines.is_empty() {
            panic!(
                "{} difference(s) in {what}:\n{}",
                self.lines.len(),
                self.lines.join("\n")
            );
        }
    }
}

/// Attribute values compared without whitespace: layout is free, tokens are not.
fn squeeze(value: &str) -> String {
    value.chars().filter(|c| !c.is_whitespace()).collect()
}

fn squeezed_attrs(node: &Node) -> BTreeMap<String, String> {
    node.attrs
        .iter()
        .map(|(k, v)| (k.clone(), squeeze(v)))
        .collect()
}

/// Compares the attributes of two elements that stand for the same member.
fn compare_attrs(report: &mut Report, at: &str, official: &Node, ours: &Node) {
    let (a, b) = (squeezed_attrs(official), squeezed_attrs(ours));
    for (key, value) in &a {
        match b.get(key) {
            None => report.add(format!("{at}: attribute {key}='{value}' missing in ours")),
            Some(v) if v != value => {
                report.add(format!("{at}: {key} '{value}' (official) vs '{v}' (ours)"))
            }
            Some(_) => {}
        }
    }
    for (key, value) in &b {
        if !a.contains_key(key) {
            report.add(format!("{at}: attribute {key}='{value}' only in ours"));
        }
    }
}

/// The direct members of a ComponentType that make up its interface.
const INTERFACE_TAGS: &[&str] = &[
    "Parameter",
    "DerivedParameter",
    "Constant",
    "Exposure",
    "Requirement",
    "EventPort",
    "Child",
    "Children",
    "Attachments",
    "Link",
    "ComponentReference",
    "Path",
    "Text",
    "Property",
    "IndexParameter",
    "ComponentRequirement",
    "InstanceRequirement",
    "Fixed",
];

/// Interface members keyed by (tag, name); `Fixed` is named by the parameter it fixes.
fn interface_members(ty: &Node) -> BTreeMap<(String, String), &Node> {
    ty.children
        .iter()
        .filter(|c| INTERFACE_TAGS.contains(&c.tag.as_str()))
        .map(|c| {
            let name = c.attr("name").or(c.attr("parameter")).unwrap_or("");
            ((c.tag.clone(), name.to_string()), c)
        })
        .collect()
}

fn member_label(tag: &str, name: &str) -> String {
    let word = match tag {
        "Parameter" => "parameter".to_string(),
        "DerivedParameter" => "derived parameter".to_string(),
        "Constant" => "constant".to_string(),
        "Exposure" => "exposure".to_string(),
        "Requirement" => "requirement".to_string(),
        "EventPort" => "event port".to_string(),
        other => other.to_string(),
    };
    format!("{word} '{name}'")
}

/// Official component types paired with ours; types missing on either side are reported.
fn paired_types<'a>(
    report: &mut Report,
    official: &'a DefSet,
    ours: &'a DefSet,
) -> Vec<(String, &'a Node, &'a Node)> {
    let theirs = official.top_level("ComponentType", "name");
    let mine = ours.top_level("ComponentType", "name");
    let mut pairs = Vec::new();
    for (name, (file, node)) in &theirs {
        match mine.get(name) {
            None => report.add(format!("{file}: {name}: ComponentType missing in ours")),
            Some((our_file, our_node)) => {
                if our_file != file {
                    report.add(format!(
                        "{file}: {name}: defined in {our_file} in ours, expected in {file}"
                    ));
                }
                pairs.push((format!("{file}: {name}"), *node, *our_node));
            }
        }
    }
    for (name, (file, _)) in &mine {
        if !theirs.contains_key(name) {
            report.add(format!(
                "{file}: {name}: ComponentType not in the official files"
            ));
        }
    }
    pairs
}

fn compare_interface(report: &mut Report, at: &str, official: &Node, ours: &Node) {
    let (a, b) = (official.attr("extends"), ours.attr("extends"));
    if a != b {
        report.add(format!(
            "{at}: extends {:?} (official) vs {:?} (ours)",
            a.unwrap_or("(none)"),
            b.unwrap_or("(none)")
        ));
    }
    let theirs = interface_members(official);
    let mine = interface_members(ours);
    for ((tag, name), node) in &theirs {
        let label = member_label(tag, name);
        match mine.get(&(tag.clone(), name.clone())) {
            None => report.add(format!("{at}: {label} missing in ours")),
            Some(our_node) => compare_attrs(report, &format!("{at}: {label}"), node, our_node),
        }
    }
    for (tag, name) in mine.keys() {
        if !theirs.contains_key(&(tag.clone(), name.clone())) {
            report.add(format!("{at}: {} only in ours", member_label(tag, name)));
        }
    }
}

fn includes(root: &Node) -> Vec<String> {
    let mut files: Vec<String> = root
        .kids("Include")
        .filter_map(|n| n.attr("file"))
        .map(str::to_string)
        .collect();
    files.sort();
    files
}

fn number(node: &Node, key: &str, default: f64) -> Result<f64, String> {
    match node.attr(key) {
        None => Ok(default),
        Some(text) => text
            .trim()
            .parse::<f64>()
            .map_err(|_| format!("{key}='{text}' is not a number")),
    }
}

/// Compares numeric attributes, treating an absent one as its LEMS default.
fn compare_numbers(
    report: &mut Report,
    at: &str,
    official: &Node,
    ours: &Node,
    keys: &[(&str, f64)],
) {
    for (key, default) in keys {
        match (number(official, key, *default), number(ours, key, *default)) {
            (Ok(a), Ok(b)) if a == b => {}
            (Ok(a), Ok(b)) => report.add(format!("{at}: {key} {a} (official) vs {b} (ours)")),
            (_, Err(e)) => report.add(format!("{at}: {e} (ours)")),
            (Err(e), _) => report.add(format!("{at}: {e} (official)")),
        }
    }
}

fn compare_dimensions_and_units(report: &mut Report, official: &DefSet, ours: &DefSet) {
    let exponents: Vec<(&str, f64)> = ["m", "l", "t", "i", "k", "n", "j"]
        .iter()
        .map(|k| (*k, 0.0))
        .collect();
    let unit_numbers = [("power", 0.0), ("scale", 1.0), ("offset", 0.0)];
    for (tag, key, numbers) in [
        ("Dimension", "name", &exponents[..]),
        ("Unit", "symbol", &unit_numbers[..]),
    ] {
        let theirs = official.top_level(tag, key);
        let mine = ours.top_level(tag, key);
        for (name, (file, node)) in &theirs {
            let at = format!("{file}: {tag} '{name}'");
            match mine.get(name) {
                None => report.add(format!("{at} missing in ours")),
                Some((_, our_node)) => {
                    compare_numbers(report, &at, node, our_node, numbers);
                    if tag == "Unit" && node.attr("dimension") != our_node.attr("dimension") {
                        report.add(format!(
                            "{at}: dimension {:?} (official) vs {:?} (ours)",
                            node.attr("dimension"),
                            our_node.attr("dimension")
                        ));
                    }
                }
            }
        }
        for (name, (file, _)) in &mine {
            if !theirs.contains_key(name) {
                report.add(format!("{file}: {tag} '{name}' not in the official files"));
            }
        }
    }
}

#[test]
fn every_official_type_has_the_same_interface_in_ours() {
    let official = DefSet::official();
    let ours = DefSet::ours();
    let mut report = Report::default();

    for (file, root) in &official.files {
        match ours.files.get(file) {
            None => report.add(format!("{file}: file missing in ours")),
            Some(our_root) => {
                let (a, b) = (includes(root), includes(our_root));
                if a != b {
                    report.add(format!("{file}: includes {a:?} (official) vs {b:?} (ours)"));
                }
            }
        }
    }
    for (at, official_ty, our_ty) in paired_types(&mut report, &official, &ours) {
        compare_interface(&mut report, &at, official_ty, our_ty);
    }
    compare_dimensions_and_units(&mut report, &official, &ours);
    report.finish("the component type interfaces, dimensions and units");
}

// ---- Behaviour: Dynamics, Structure and Simulation in a normalised form ----

/// Blocks whose direct members may come in any order. Everything nested deeper (the
/// actions of a handler, the cases of a conditional variable) keeps its order, because
/// the order there changes the result.
const UNORDERED_BLOCKS: &[&str] = &["Dynamics", "Regime", "Structure", "Simulation"];

/// One line per element: tag, attributes with whitespace removed, then the children.
fn canonical(node: &Node) -> String {
    let attrs: Vec<String> = squeezed_attrs(node)
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let mut children: Vec<String> = node.children.iter().map(canonical).collect();
    if UNORDERED_BLOCKS.contains(&node.tag.as_str()) {
        children.sort();
    }
    if children.is_empty() {
        format!("{}[{}]", node.tag, attrs.join(" "))
    } else {
        format!(
            "{}[{}]{{{}}}",
            node.tag,
            attrs.join(" "),
            children.join("; ")
        )
    }
}

/// The name a member of a behaviour block is best known by, for matching and messages.
fn member_key(node: &Node) -> String {
    let id = [
        "name",
        "variable",
        "test",
        "port",
        "component",
        "quantity",
        "instance",
    ]
    .iter()
    .find_map(|k| node.attr(k))
    .map(squeeze);
    let id = match (node.tag.as_str(), id) {
        ("EventConnection", _) => format!(
            "{}->{}",
            node.attr("from").unwrap_or(""),
            node.attr("to").unwrap_or("")
        ),
        ("ForEach", _) | ("With", _) => format!(
            "{} as {}",
            node.attr("instances")
                .or(node.attr("instance"))
                .unwrap_or(""),
            node.attr("as").unwrap_or("")
        ),
        (_, Some(id)) => id,
        (_, None) => String::new(),
    };
    format!("{} '{}'", node.tag, id)
}

/// Members of the unordered blocks of a type, by key, each with its canonical form.
/// Members of a regime are keyed under that regime.
fn behaviour_members(ty: &Node) -> BTreeMap<String, Vec<String>> {
    let mut members: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for block in ["Dynamics", "Structure", "Simulation"] {
        for (index, node) in ty.kids(block).enumerate() {
            let block_name = if index == 0 {
                block.to_string()
            } else {
                format!("{block}#{index}")
            };
            if !node.attrs.is_empty() {
                let entry = members.entry(format!("{block_name} attributes"));
                entry
                    .or_default()
                    .push(format!("{:?}", squeezed_attrs(node)));
            }
            collect_block(&mut members, &block_name, node);
        }
    }
    members
}

fn collect_block(members: &mut BTreeMap<String, Vec<String>>, prefix: &str, block: &Node) {
    for child in &block.children {
        let key = format!("{prefix}: {}", member_key(child));
        if child.tag == "Regime" {
            let header = Node {
                children: Vec::new(),
                ..child.clone()
            };
            members
                .entry(key.clone())
                .or_default()
                .push(canonical(&header));
            collect_block(members, &key, child);
        } else {
            members.entry(key).or_default().push(canonical(child));
        }
    }
}

/// The tests of the OnCondition handlers of every Dynamics block and regime, in order.
/// Several handlers may fire in the same step and the later assignment wins, so their
/// relative order is part of the behaviour even though other members may move freely.
fn condition_order(ty: &Node) -> BTreeMap<String, Vec<String>> {
    let mut orders = BTreeMap::new();
    for dynamics in ty.kids("Dynamics") {
        let mut blocks = vec![("Dynamics".to_string(), dynamics)];
        for regime in dynamics.kids("Regime") {
            let name = regime.attr("name").unwrap_or("");
            blocks.push((format!("Dynamics: Regime '{name}'"), regime));
        }
        for (label, block) in blocks {
            let tests: Vec<String> = block
                .kids("OnCondition")
                .map(|c| squeeze(c.attr("test").unwrap_or("")))
                .collect();
            if tests.len() > 1 {
                orders.insert(label, tests);
            }
        }
    }
    orders
}

/// Members of a ComponentType this test does not know; compared whole, so that a new
/// kind of element in the standard is not silently ignored.
fn other_members(ty: &Node) -> Vec<String> {
    let mut found: Vec<String> = ty
        .children
        .iter()
        .filter(|c| {
            !INTERFACE_TAGS.contains(&c.tag.as_str())
                && !["Dynamics", "Structure", "Simulation"].contains(&c.tag.as_str())
        })
        .map(canonical)
        .collect();
    found.sort();
    found
}

fn compare_behaviour(report: &mut Report, at: &str, official: &Node, ours: &Node) {
    let (a, b) = (other_members(official), other_members(ours));
    if a != b {
        report.add(format!(
            "{at}: other members differ:\n    official: {}\n    ours:     {}",
            a.join(" | "),
            b.join(" | ")
        ));
    }
    let (a, b) = (condition_order(official), condition_order(ours));
    for (block, tests) in &a {
        if let Some(our_tests) = b.get(block) {
            let mut x = tests.clone();
            let mut y = our_tests.clone();
            x.sort();
            y.sort();
            // Different sets are reported member by member below; only order is checked here.
            if x == y && tests != our_tests {
                report.add(format!(
                    "{at}: {block}: OnCondition order {tests:?} (official) vs {our_tests:?} (ours)"
                ));
            }
        }
    }
    let theirs = behaviour_members(official);
    let mine = behaviour_members(ours);
    for (key, forms) in &theirs {
        match mine.get(key) {
            None => report.add(format!("{at}: {key} missing in ours")),
            Some(our_forms) => {
                let mut a = forms.clone();
                let mut b = our_forms.clone();
                a.sort();
                b.sort();
                if a != b {
                    report.add(format!(
                        "{at}: {key} differs:\n    official: {}\n    ours:     {}",
                        a.join(" | "),
                        b.join(" | ")
                    ));
                }
            }
        }
    }
    for key in mine.keys() {
        if !theirs.contains_key(key) {
            report.add(format!("{at}: {key} only in ours"));
        }
    }
}

#[test]
fn every_official_type_has_the_same_behaviour_in_ours() {
    let official = DefSet::official();
    let ours = DefSet::ours();
    let mut report = Report::default();
    for (at, official_ty, our_ty) in paired_types(&mut report, &official, &ours) {
        compare_behaviour(&mut report, &at, official_ty, our_ty);
    }
    report.finish("dynamics, structure and simulation");
}

#[test]
fn canonical_form_keeps_action_order_but_not_member_order() {
    let a = parse(
        "a",
        r#"<Dynamics><StateVariable name="x"/><OnStart>
            <StateAssignment variable="x" value="1 + y"/><StateAssignment variable="y" value="2"/>
        </OnStart></Dynamics>"#,
    );
    let b = parse(
        "b",
        r#"<Dynamics description="ignored"><OnStart>
            <StateAssignment variable="x" value="1+y"/><StateAssignment variable="y" value="2"/>
        </OnStart><StateVariable name="x"/></Dynamics>"#,
    );
    let c = parse(
        "c",
        r#"<Dynamics><StateVariable name="x"/><OnStart>
            <StateAssignment variable="y" value="2"/><StateAssignment variable="x" value="1+y"/>
        </OnStart></Dynamics>"#,
    );
    assert_eq!(canonical(&a), canonical(&b));
    assert_ne!(canonical(&a), canonical(&c));
}
