//! Byte offsets in a TOML file turned into the 1-based line and column that
//! error messages show.
//!
//! A parser that reports many problems in one file (a model with thousands of
//! duplicate ids) must not rescan the text from the start for each one: that
//! is quadratic in the file size. [`LineIndex`] finds the line start once and
//! answers each position by binary search.

/// Where every line of a text starts, for repeated position lookups.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    source: &'a str,
    /// Byte offset of the first character of each line (the first is 0).
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes `source` (one pass over the text).
    pub fn new(source: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(
                source
                    .bytes()
                    .enumerate()
                    .filter(|&(_, b)| b == b'\n')
                    .map(|(i, _)| i + 1),
            )
            .collect();
        LineIndex { source, starts }
    }

    /// 1-based line and column (in characters) of a byte offset; an offset
    /// past the end counts as the end.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.source.len());
        // Inside a character: its start.
        while !self.source.is_char_boundary(offset) {
            offset -= 1;
        }
        // The last line starting at or before `offset`.
        let line = self.starts.partition_point(|&start| start <= offset);
        let start = self.starts.get(line.saturating_sub(1)).copied().unwrap_or(0);
        // Byte width equals character width on ASCII, the common case;
        // counting characters only for the rest keeps a long line with
        // many problems cheap.
        let column = match self.source.get(start..offset) {
            Some(text) if text.is_ascii() => text.len(),
            Some(text) => text.chars().count(),
            None => 0,
        };
        (line, column + 1)
    }
}

/// 1-based line and column (in characters) of a byte offset; shared by
/// every parser that reports positions in a TOML file. For many lookups in
/// one text, build a [`LineIndex`] once instead.
pub fn line_column(source: &str, offset: usize) -> (usize, usize) {
    LineIndex::new(source).line_column(offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_from_one() {
        let src = "ab\ncd\n\nxé z";
        let index = LineIndex::new(src);
        assert_eq!(index.line_column(0), (1, 1));
        assert_eq!(index.line_column(2), (1, 3));
        assert_eq!(index.line_column(3), (2, 1));
        assert_eq!(index.line_column(5), (2, 3));
        assert_eq!(index.line_column(6), (3, 1));
        assert_eq!(index.line_column(7), (4, 1));
        // After the two-byte é: one character, so column 3.
        assert_eq!(index.line_column(10), (4, 3));
        // Inside the é: the é's own column.
        assert_eq!(index.line_column(9), (4, 2));
        assert_eq!(index.line_column(999), (4, 5));
        assert_eq!(line_column("", 5), (1, 1));
    }

    #[test]
    fn agrees_with_a_plain_count() {
        let src = "a = 1\n[[x]]\nid = \"é\" # ü\n\n  b\n";
        let index = LineIndex::new(src);
        for offset in 0..=src.len() {
            let before = &src[..src.floor_char_boundary_compat(offset)];
            let line = before.matches('\n').count() + 1;
            let start = before.rfind('\n').map_or(0, |i| i + 1);
            let column = before[start..].chars().count() + 1;
            assert_eq!(index.line_column(offset), (line, column), "offset {offset}");
        }
    }

    trait FloorBoundary {
        fn floor_char_boundary_compat(&self, at: usize) -> usize;
    }

    impl FloorBoundary for str {
        fn floor_char_boundary_compat(&self, mut at: usize) -> usize {
            while !self.is_char_boundary(at) {
                at -= 1;
            }
            at
        }
    }
}
