//! Byte offsets to protocol positions and back. The protocol counts columns in UTF-16
//! code units; the compiler counts bytes.
//!
//! Lines end as the protocol says they do: at `\n`, `\r\n` or a lone `\r`. The editor
//! counts lines that way, so the server must too, or a file with a lone `\r` would show
//! diagnostics on the wrong lines and have incremental edits applied in the wrong place.

use tower_lsp_server::ls_types::{Position, Range};
use ward_compiler::Span;

/// Line starts of one text, for conversions in both directions.
#[derive(Debug)]
pub struct LineIndex<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> LineIndex<'t> {
    pub fn new(text: &'t str) -> Self {
        let bytes = text.as_bytes();
        let breaks = bytes.iter().enumerate().filter_map(|(i, b)| {
            let ends = *b == b'\n' || (*b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            ends.then_some(i + 1)
        });
        let starts = std::iter::once(0).chain(breaks).collect();
        LineIndex { text, starts }
    }

    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        // An offset inside a character (never produced by the compiler) counts to its start.
        let column: usize = self
            .text
            .get(start..)
            .unwrap_or("")
            .char_indices()
            .take_while(|(i, _)| start + i < offset)
            .map(|(_, c)| c.len_utf16())
            .sum();
        Position::new(to_u32(line), to_u32(column))
    }

    pub fn range(&self, span: Span) -> Range {
        Range::new(self.position(span.start), self.position(span.end))
    }

    /// The byte offset of a position; past the end of a line it is the line's end, past
    /// the last line the text's end.
    pub fn offset(&self, position: Position) -> usize {
        let Some(&start) = self.starts.get(position.line as usize) else {
            return self.text.len();
        };
        let end = self
            .starts
            .get(position.line as usize + 1)
            .copied()
            .unwrap_or(self.text.len());
        let line = self.text.get(start..end).unwrap_or("");
        let mut units = 0usize;
        for (i, c) in line.char_indices() {
            // The line's end (`\n`, `\r\n` or `\r`) is where positions past it stop. The
            // line starts and this must agree on what ends a line (the lsp_edits fuzz
            // target found a version where they did not).
            if units >= position.character as usize || c == '\n' || c == '\r' {
                return start + i;
            }
            units += c.len_utf16();
        }
        start + line.len()
    }

    pub fn span(&self, range: Range) -> Span {
        let start = self.offset(range.start);
        Span::new(start, self.offset(range.end).max(start))
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_units_after_non_ascii_text() {
        let text = "// café 😀 x\nnext";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap();
        // "// café " is 8 units, the emoji 2, the space 1.
        assert_eq!(index.position(x), Position::new(0, 11));
        assert_eq!(index.offset(Position::new(0, 11)), x);
        assert_eq!(index.offset(Position::new(1, 2)), text.find("xt").unwrap());
    }

    #[test]
    fn a_lone_carriage_return_ends_a_line_as_in_the_protocol() {
        let text = "a\rb c\r\nnext\r";
        let index = LineIndex::new(text);
        assert_eq!(index.position(2), Position::new(1, 0));
        assert_eq!(index.position(7), Position::new(2, 0));
        assert_eq!(index.position(12), Position::new(3, 0));
        for offset in [0, 1, 2, 3, 4, 5, 7, 8, 11, 12] {
            assert_eq!(
                index.offset(index.position(offset)),
                offset,
                "offset {offset}"
            );
        }
        // Positions past a line's end stop at its line break, whichever it is.
        assert_eq!(index.offset(Position::new(0, 99)), 1);
        assert_eq!(index.offset(Position::new(1, 99)), 5);
        assert_eq!(index.offset(Position::new(3, 99)), 12);
    }

    #[test]
    fn positions_past_the_end_are_clamped() {
        let index = LineIndex::new("ab\ncd");
        assert_eq!(index.offset(Position::new(0, 99)), 2);
        assert_eq!(index.offset(Position::new(9, 0)), 5);
        assert_eq!(index.position(99), Position::new(1, 2));
    }
}
