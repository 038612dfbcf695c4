//! Arbitrary bytes through UTF-8 decoding and the XML reader. Any error must come back as a
//! Diagnostic whose span lies inside the file and renders.
#![no_main]

use std::path::PathBuf;

use lemsc::diag::{render, SourceMap, Span};
use lemsc::front::xml::{decode_utf8, parse_element_tree};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = match decode_utf8(data) {
        Ok(text) => text,
        Err(offset) => {
            assert!(
                offset < data.len(),
                "bad-byte offset {offset} is past the input"
            );
            assert!(std::str::from_utf8(&data[..offset]).is_ok());
            return;
        }
    };
    let mut sources = SourceMap::new();
    let file = sources.add(PathBuf::from("fuzz.xml"), "fuzz.xml".into(), text);
    match parse_element_tree(&sources, file) {
        Ok(root) => {
            let text = &sources.file(file).text;
            let mut stack = vec![&root];
            while let Some(el) = stack.pop() {
                assert_in_text(text, el.span);
                assert_in_text(text, el.name_span);
                assert_eq!(&text[range(el.name_span)], el.name);
                for a in &el.attrs {
                    assert_in_text(text, a.name_span);
                    assert_in_text(text, a.value_span);
                    assert_eq!(&text[range(a.name_span)], a.name);
                }
                if let Some(span) = el.text_span {
                    assert_in_text(text, span);
                }
                stack.extend(el.children.iter());
            }
        }
        Err(diag) => {
            if let Some((span, _)) = &diag.primary {
                assert_in_text(&sources.file(file).text, *span);
            }
            let _ = render(&sources, &[diag], false);
        }
    }
});

fn range(span: Span) -> std::ops::Range<usize> {
    span.start as usize..span.end as usize
}

/// A span must be an in-bounds range on character boundaries, or rendering it goes wrong.
fn assert_in_text(text: &str, span: Span) {
    assert!(
        text.get(range(span)).is_some(),
        "span {}..{} is not a character range of the {}-byte text",
        span.start,
        span.end,
        text.len()
    );
}
