//! Tests of the XML reader: spans, and every refusal with its message and location.

use crate::diag::{Diagnostic, SourceMap, Span};
use crate::front::syntax::Element;
use crate::front::xml::{decode_utf8, parse_element_tree, MAX_DEPTH};

fn parse(text: &str) -> (SourceMap, Result<Element, Diagnostic>) {
    let mut sources = SourceMap::new();
    let file = sources.add("t.xml".into(), "t.xml".into(), text.to_owned());
    let result = parse_element_tree(&sources, file);
    (sources, result)
}

fn tree(text: &str) -> (SourceMap, Element) {
    let (sources, result) = parse(text);
    match result {
        Ok(root) => (sources, root),
        Err(d) => panic!("unexpected error: {}", d.message),
    }
}

/// Parses text that must be refused; gives (line, column, message, primary snippet).
fn refusal(text: &str) -> (usize, usize, String, String) {
    let (sources, result) = parse(text);
    let d = result.expect_err("expected the input to be refused");
    let (span, _) = d.primary.clone().expect("the error has a location");
    let (line, col) = sources.line_col(span);
    (line, col, d.message, sources.snippet(span).to_owned())
}

fn snippet(sources: &SourceMap, span: Span) -> &str {
    sources.snippet(span)
}

#[test]
fn spans_cover_names_values_elements_and_text() {
    let text = "<?xml version=\"1.0\"?>\n<Lems a=\"1\" b = 'two'>\n  <Unit symbol=\"mV\"/>\n  <Text>hi &amp; bye</Text>\n</Lems>\n";
    let (sources, root) = tree(text);
    assert_eq!(root.name, "Lems");
    assert_eq!(snippet(&sources, root.name_span), "Lems");
    assert!(snippet(&sources, root.span).starts_with("<Lems a="));
    assert!(snippet(&sources, root.span).ends_with("</Lems>"));
    let b = root.attr("b").unwrap();
    assert_eq!(b.value, "two");
    assert_eq!(snippet(&sources, b.name_span), "b");
    assert_eq!(snippet(&sources, b.value_span), "two");
    let unit = &root.children[0];
    assert_eq!(snippet(&sources, unit.span), "<Unit symbol=\"mV\"/>");
    assert_eq!(snippet(&sources, unit.attrs[0].value_span), "mV");
    assert_eq!(sources.line_col(unit.attrs[0].value_span), (3, 17));
    let t = &root.children[1];
    assert_eq!(t.text, "hi & bye");
    assert_eq!(snippet(&sources, t.text_span.unwrap()), "hi &amp; bye");
}

#[test]
fn entities_and_character_references_are_decoded() {
    let (_, root) = tree("<Lems v=\"&lt;&gt;&amp;&apos;&quot;&#955;&#x3bb;\"/>");
    assert_eq!(root.attr_value("v"), Some("<>&'\"λλ"));
}

#[test]
fn attribute_value_line_breaks_read_as_spaces() {
    let (_, root) = tree("<Lems v=\"a\n\tb\"/>");
    assert_eq!(root.attr_value("v"), Some("a  b"));
}

#[test]
fn namespace_prefixes_are_dropped_from_element_names() {
    let text = "<nml:neuroml xmlns:nml=\"x\" xsi:schemaLocation=\"y\"><nml:a/></nml:neuroml>";
    let (sources, root) = tree(text);
    assert_eq!(root.name, "neuroml");
    assert_eq!(snippet(&sources, root.name_span), "neuroml");
    assert_eq!(root.children[0].name, "a");
    assert_eq!(root.attr_value("xsi:schemaLocation"), Some("y"));
}

#[test]
fn comments_pis_cdata_and_bom_are_handled() {
    let text =
        "\u{feff}<?xml version=\"1.0\"?><!-- c --><Lems><?pi x?><![CDATA[a<b]]><!-- d --></Lems>";
    let (sources, root) = tree(text);
    assert_eq!(root.text, "a<b");
    assert_eq!(snippet(&sources, root.text_span.unwrap()), "a<b");
    assert_eq!(snippet(&sources, root.name_span), "Lems");
}

#[test]
fn text_span_is_the_first_non_blank_run() {
    let (sources, root) = tree("<Lems>\n  <a/>  x  <b/></Lems>");
    assert_eq!(snippet(&sources, root.text_span.unwrap()), "  x  ");
}

#[test]
fn mismatched_end_tag_names_both_tags() {
    let text = "<Lems>\n  <pulseGenerator id=\"pg\">\n</Lems>\n";
    let (sources, result) = parse(text);
    let d = result.unwrap_err();
    assert!(d.message.contains("</Lems>") && d.message.contains("</pulseGenerator>"));
    let (span, _) = d.primary.unwrap();
    assert_eq!(sources.line_col(span), (3, 3));
    assert_eq!(sources.snippet(span), "Lems");
    assert_eq!(sources.line_col(d.secondary[0].0), (2, 4));
}

#[test]
fn unclosed_element_points_at_its_start_tag() {
    let (line, col, msg, _) = refusal("<Lems>\n  <a>\n");
    assert_eq!((line, col), (2, 4));
    assert!(msg.contains("<a> is never closed"), "{msg}");
}

#[test]
fn unterminated_tag_is_refused() {
    let (line, _, msg, _) = refusal("<Lems>\n<a b=\"1\"");
    assert_eq!(line, 2);
    assert!(msg.contains("not closed"), "{msg}");
}

#[test]
fn stray_end_tag_is_refused() {
    let (line, col, msg, _) = refusal("\n</Lems>");
    assert_eq!((line, col), (2, 3));
    assert!(msg.contains("no matching start tag"), "{msg}");
}

#[test]
fn unquoted_attribute_value_is_refused() {
    let (line, col, msg, found) = refusal("<Lems>\n  <Unit symbol=mV power=\"-3\"/>\n</Lems>");
    assert_eq!((line, col), (2, 16));
    assert_eq!(found, "mV");
    assert!(msg.contains("quoted value for attribute 'symbol'"), "{msg}");
}

#[test]
fn attribute_without_value_is_refused() {
    let (line, col, msg, _) = refusal("<Lems>\n <a b c=\"1\"/></Lems>");
    assert_eq!((line, col), (2, 5));
    assert!(msg.contains("attribute 'b' has no value"), "{msg}");
}

#[test]
fn attributes_need_whitespace_between_them() {
    let (_, col, msg, _) = refusal("<Lems a=\"1\"b=\"2\"/>");
    assert_eq!(col, 12);
    assert!(msg.contains("whitespace before attribute 'b'"), "{msg}");
}

#[test]
fn duplicate_attribute_points_at_the_second() {
    let text = "<Lems>\n  <p delay=\"1\" x=\"2\" delay=\"3\"/>\n</Lems>";
    let (sources, result) = parse(text);
    let d = result.unwrap_err();
    assert!(
        d.message.contains("duplicate attribute 'delay'"),
        "{}",
        d.message
    );
    let (span, _) = d.primary.unwrap();
    assert_eq!(sources.line_col(span), (2, 22));
    assert_eq!(sources.line_col(d.secondary[0].0), (2, 6));
}

#[test]
fn doctype_is_refused_before_any_expansion() {
    let bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n <!ENTITY lol2 \"&lol;&lol;&lol;\">\n]>\n<Lems d=\"&lol2;\"/>";
    let (line, col, msg, _) = refusal(bomb);
    assert_eq!((line, col), (2, 1));
    assert!(msg.contains("DOCTYPE"), "{msg}");
}

#[test]
fn unknown_entity_is_refused() {
    let (line, col, msg, found) = refusal("<Lems>\n  <a b=\"x &nbsp; y\"/></Lems>");
    assert_eq!((line, col), (2, 11));
    assert_eq!(found, "&nbsp;");
    assert!(msg.contains("unknown entity reference '&nbsp;'"), "{msg}");
    let (_, _, msg, _) = refusal("<Lems>&foo;</Lems>");
    assert!(msg.contains("&foo;"), "{msg}");
}

#[test]
fn bare_ampersand_and_bad_character_references_are_refused() {
    let (_, col, msg, _) = refusal("<Lems a=\"x & y\"/>");
    assert_eq!(col, 12);
    assert!(msg.contains("'&'"), "{msg}");
    let (_, _, msg, _) = refusal("<Lems a=\"&#0;\"/>");
    assert!(msg.contains("not a valid character reference"), "{msg}");
    let (_, _, msg, _) = refusal("<Lems a=\"&#xZZ;\"/>");
    assert!(msg.contains("not a valid character reference"), "{msg}");
}

#[test]
fn empty_and_rootless_files_are_refused() {
    for text in ["", "  \n", "<?xml version=\"1.0\"?>\n<!-- nothing -->\n"] {
        let (line, _, msg, _) = refusal(text);
        assert!(line >= 1);
        assert!(
            msg.contains("expected a root element such as <Lems> or <neuroml>"),
            "{msg}"
        );
    }
    let (line, col, msg, _) = refusal("\n  hello <Lems/>");
    assert_eq!((line, col), (2, 3));
    assert!(msg.contains("expected a root element"), "{msg}");
}

#[test]
fn text_or_second_element_after_root_is_refused() {
    let (line, col, msg, _) = refusal("<Lems>\n</Lems>\n<Lems/>\n");
    assert_eq!((line, col), (3, 2));
    assert!(msg.contains("second root element"), "{msg}");
    let (line, col, msg, found) = refusal("<Lems/>\n junk\n");
    assert_eq!((line, col), (2, 2));
    assert_eq!(found, "junk");
    assert!(msg.contains("after the root element"), "{msg}");
    // Whitespace and comments after the root are fine.
    tree("<Lems/>\n<!-- end -->\n\n");
}

#[test]
fn control_characters_are_refused() {
    let (line, col, msg, _) = refusal("<Lems>\n ab\u{0}cd</Lems>");
    assert_eq!((line, col), (2, 4));
    assert!(msg.contains("U+0000") && msg.contains("binary"), "{msg}");
}

#[test]
fn decode_utf8_reports_the_first_bad_byte() {
    assert_eq!(decode_utf8(b"<Lems/>").unwrap(), "<Lems/>");
    assert_eq!(decode_utf8(b"ab\xffcd\xfe"), Err(2));
    assert_eq!(decode_utf8("é\u{1F600}".as_bytes()).unwrap(), "é\u{1F600}");
    assert_eq!(decode_utf8(b"caf\xc3"), Err(3));
}

#[test]
fn deep_nesting_is_refused_without_overflowing() {
    let depth = 10_000;
    let text = "<a>".repeat(depth) + &"</a>".repeat(depth);
    let (_, _, msg, _) = refusal(&text);
    assert!(
        msg.contains(&format!("more than {MAX_DEPTH} levels")),
        "{msg}"
    );
    // Just under the cap is accepted.
    let ok = "<a>".repeat(MAX_DEPTH) + &"</a>".repeat(MAX_DEPTH);
    let (_, root) = tree(&ok);
    assert_eq!(root.children.len(), 1);
}

#[test]
fn five_megabytes_parse_quickly() {
    let mut text = String::from("<Lems>\n");
    while text.len() < 5_000_000 {
        text.push_str(
            "  <pulseGenerator id=\"pg\" delay=\"10ms\" duration=\"20ms\" amplitude=\"0.1nA\"/>\n",
        );
    }
    text.push_str("</Lems>\n");
    let ((_, root), elapsed) = crate::cputime::cpu_timed(|| tree(&text));
    println!("5 MB parsed in {elapsed:?} of CPU");
    assert!(root.children.len() > 60_000);
    // Generous bound: unoptimised test builds are several times slower than release.
    assert!(elapsed.as_secs_f64() < 5.0, "took {elapsed:?}");
}

/// Every truncation and every one-byte corruption of a document gives a tree or a located
/// error, never a panic.
#[test]
fn damaged_documents_never_panic() {
    let doc = "<?xml version=\"1.0\"?>\n<!-- c -->\n<Lems a=\"1\" b='&lt;x&#65;'>\n  <Unit symbol=\"mV\"/>\n  <T><![CDATA[zλ]]>tλ&amp;</T>\n<?pi x?></Lems>\n";
    let cuts: Vec<usize> = (0..doc.len())
        .filter(|&n| doc.is_char_boundary(n))
        .collect();
    let mut damaged: Vec<String> = cuts.iter().map(|&n| doc[..n].to_owned()).collect();
    for (&i, &next) in cuts.iter().zip(cuts.iter().skip(1)) {
        for junk in ["<", ">", "\"", "'", "&", "/", "=", "!", "?", " ", "]", "λ"] {
            damaged.push(format!("{}{junk}{}", &doc[..i], &doc[next..]));
        }
    }
    for text in damaged {
        let (sources, result) = parse(&text);
        if let Err(d) = result {
            let (span, _) = d.primary.expect("located");
            assert!(span.end as usize <= text.len(), "{text:?}: {}", d.message);
            let _ = sources.line_col(span);
        }
    }
}

#[test]
fn a_second_byte_order_mark_is_refused_at_its_place() {
    for rest in ["<a/>", "x"] {
        let text = format!("\u{feff}\u{feff}{rest}");
        let (line, col, message, snippet) = refusal(&text);
        assert_eq!((line, col), (1, 2));
        assert!(message.contains("second byte-order mark"), "{message}");
        assert_eq!(snippet, "\u{feff}");
    }
}
