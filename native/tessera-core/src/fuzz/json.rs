//! JSON text mutated value by value: the spans of a text's values, and values that break readers.

use std::ops::Range;

/// Values that replace a value of a seed: numbers a reader may not hold, other types, other
/// GeoJSON type names, escapes that are no character.
pub(super) const HOSTILE: [&str; 31] = [
    "1e308",
    "-1e308",
    "1e309",
    "-1e400",
    "1.7976931348623157e308",
    "4.9e-324",
    "NaN",
    "Infinity",
    "-0",
    "18446744073709551616",
    "-9223372036854775809",
    "0x10",
    "01",
    "1.",
    ".5",
    "null",
    "true",
    "\"\"",
    "[]",
    "{}",
    "[[]]",
    "[[[]]]",
    "\"\\ud800\"",
    "\"\\u0000\"",
    "\"Feature\"",
    "\"FeatureCollection\"",
    "\"Polygon\"",
    "\"MultiPolygon\"",
    "\"GeometryCollection\"",
    "{\"type\": \"Polygon\"}",
    "{\"type\": \"Feature\", \"geometry\": null}",
];

/// `text` with `span` replaced by `value`.
pub(super) fn replace(mut text: Vec<u8>, span: Range<usize>, value: &[u8]) -> Vec<u8> {
    let span = span.start.min(text.len())..span.end.min(text.len());
    text.splice(span, value.iter().copied());
    text
}

/// The byte spans of the values in JSON `text`: strings, numbers, literals, arrays and objects.
pub(super) fn values(text: &[u8]) -> Vec<Range<usize>> {
    let (mut spans, mut open, mut i) = (Vec::new(), Vec::new(), 0);
    while i < text.len() {
        match text[i] {
            b'[' | b'{' => open.push(i),
            b']' | b'}' => spans.extend(open.pop().map(|start| start..i + 1)),
            b'"' => {
                let start = i;
                i += 1;
                while i < text.len() && text[i] != b'"' {
                    i += if text[i] == b'\\' { 2 } else { 1 };
                }
                spans.push(start..(i + 1).min(text.len()));
            }
            b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => {
                let start = i;
                while i < text.len() && !b",]} \n\r\t".contains(&text[i]) {
                    i += 1;
                }
                spans.push(start..i);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_found_with_their_containers() {
        let text = br#"{"a": [1, -2.5e3, "x\"y"], "b": null}"#;
        let found: Vec<&[u8]> = values(text).into_iter().map(|span| &text[span]).collect();
        let expected: [&[u8]; 8] =
            [b"\"a\"", b"1", b"-2.5e3", br#""x\"y""#, br#"[1, -2.5e3, "x\"y"]"#, b"\"b\"", b"null", text];
        assert_eq!(found, expected);
    }
}
