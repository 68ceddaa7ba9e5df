//! Offsets of a derived text back to file bytes.
//!
//! Rules see normalised text — continuation lines joined, JSON strings
//! decoded — but findings must point at the exact bytes on the physical line
//! the user wrote. A [`Mapping`] remembers, for each stretch of the derived
//! text, where it came from, so every word keeps an exact span.

use crate::document::Span;

/// One stretch of derived text: `local_len` bytes at `local` came from
/// `file_len` bytes at `file`. Equal lengths mean a verbatim copy (offsets
/// map one to one); different lengths mean an escape such as `\"` or
/// `\u00e9`, which maps as a unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Seg {
    local: usize,
    local_len: usize,
    file: usize,
    file_len: usize,
}

impl Seg {
    fn verbatim(&self) -> bool {
        self.local_len == self.file_len
    }
}

/// Maps byte offsets of a derived text to byte offsets of the source (the
/// file, or another derived text when mappings are [composed](Mapping::compose)).
#[derive(Clone, Debug, Default)]
pub struct Mapping {
    segs: Vec<Seg>,
}

impl Mapping {
    /// A text copied verbatim from `file_start`.
    pub fn identity(file_start: usize, len: usize) -> Self {
        let mut m = Mapping::default();
        m.push_verbatim(0, file_start, len);
        m
    }

    /// Records that `len` bytes at `local` were copied from `file`; merges
    /// with the previous stretch when both are contiguous.
    pub fn push_verbatim(&mut self, local: usize, file: usize, len: usize) {
        if len == 0 {
            return;
        }
        if let Some(last) = self.segs.last_mut()
            && last.verbatim()
            && last.local + last.local_len == local
            && last.file + last.file_len == file
        {
            last.local_len += len;
            last.file_len += len;
            return;
        }
        self.segs.push(Seg {
            local,
            local_len: len,
            file,
            file_len: len,
        });
    }

    /// Records that `local_len` bytes at `local` decode `file_len` source
    /// bytes at `file` (an escape sequence).
    pub fn push_escape(&mut self, local: usize, local_len: usize, file: usize, file_len: usize) {
        if local_len == 0 {
            return;
        }
        self.segs.push(Seg {
            local,
            local_len,
            file,
            file_len,
        });
    }

    /// The segment holding `pos` (the last one starting at or before it).
    fn seg_at(&self, pos: usize) -> Option<&Seg> {
        let idx = self.segs.partition_point(|s| s.local <= pos);
        self.segs.get(idx.checked_sub(1)?)
    }

    /// Where the byte at `pos` starts in the source.
    pub fn start(&self, pos: usize) -> usize {
        let Some(seg) = self.seg_at(pos) else {
            return self.segs.first().map_or(0, |s| s.file);
        };
        let d = pos - seg.local;
        if d >= seg.local_len {
            seg.file + seg.file_len
        } else if seg.verbatim() {
            seg.file + d
        } else {
            seg.file
        }
    }

    /// Where a range ending (exclusively) at `pos` ends in the source: the
    /// byte before `pos` decides, so a word ending at a joined line break
    /// ends on its own line.
    pub fn end(&self, pos: usize) -> usize {
        let Some(seg) = pos.checked_sub(1).and_then(|p| self.seg_at(p)) else {
            return self.start(pos);
        };
        let d = pos - seg.local;
        if d >= seg.local_len || !seg.verbatim() {
            seg.file + seg.file_len
        } else {
            seg.file + d
        }
    }

    /// The source span of the derived range `start..end`.
    pub fn span(&self, start: usize, end: usize) -> Span {
        let s = self.start(start);
        if end <= start {
            return Span::new(s, s);
        }
        Span::new(s, self.end(end))
    }

    /// This mapping (derived → intermediate) followed by `outer`
    /// (intermediate → file): derived → file. Linear in both sizes plus a
    /// binary search per verbatim stretch.
    pub fn compose(&self, outer: &Mapping) -> Mapping {
        let mut out = Mapping::default();
        for seg in &self.segs {
            if !seg.verbatim() {
                let start = outer.start(seg.file);
                let end = outer.end(seg.file + seg.file_len);
                out.push_escape(seg.local, seg.local_len, start, end.saturating_sub(start));
                continue;
            }
            let (lo, hi) = (seg.file, seg.file + seg.file_len);
            let first = outer.segs.partition_point(|o| o.local + o.local_len <= lo);
            for o in outer.segs[first..].iter().take_while(|o| o.local < hi) {
                let a = lo.max(o.local);
                let b = hi.min(o.local + o.local_len);
                let local = seg.local + (a - lo);
                if o.verbatim() {
                    out.push_verbatim(local, o.file + (a - o.local), b - a);
                } else {
                    out.push_escape(local, b - a, o.file, o.file_len);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// "ab" from 10, then "cd" from 20 (a joined continuation line).
    fn joined() -> Mapping {
        let mut m = Mapping::default();
        m.push_verbatim(0, 10, 2);
        m.push_verbatim(2, 20, 2);
        m
    }

    #[test]
    fn verbatim_stretches_map_one_to_one() {
        let m = joined();
        assert_eq!(m.start(0), 10);
        assert_eq!(m.start(1), 11);
        assert_eq!(m.start(2), 20);
        assert_eq!(
            m.end(2),
            12,
            "a range ending at the join ends on the first line"
        );
        assert_eq!(m.end(4), 22);
        assert_eq!(m.span(1, 3), Span::new(11, 21));
        assert_eq!(m.span(3, 3), Span::new(21, 21));
    }

    #[test]
    fn contiguous_pushes_merge() {
        let mut m = Mapping::default();
        m.push_verbatim(0, 5, 2);
        m.push_verbatim(2, 7, 3);
        assert_eq!(m.segs.len(), 1);
        assert_eq!(m.span(0, 5), Span::new(5, 10));
    }

    #[test]
    fn escapes_map_as_a_unit() {
        // decoded `a"b` from raw `a\"b` at 0
        let mut m = Mapping::default();
        m.push_verbatim(0, 0, 1);
        m.push_escape(1, 1, 1, 2);
        m.push_verbatim(2, 3, 1);
        assert_eq!(m.span(1, 2), Span::new(1, 3));
        assert_eq!(m.span(0, 3), Span::new(0, 4));
        assert_eq!(m.start(2), 3);
    }

    #[test]
    fn compose_splits_at_outer_boundaries() {
        // derived text = intermediate[1..4] verbatim, then an escape over 4..6
        let mut inner = Mapping::default();
        inner.push_verbatim(0, 1, 3);
        inner.push_escape(3, 1, 4, 2);
        let outer = {
            let mut m = Mapping::default();
            m.push_verbatim(0, 100, 3);
            m.push_verbatim(3, 200, 10);
            m
        };
        let c = inner.compose(&outer);
        assert_eq!(c.start(0), 101);
        assert_eq!(c.start(1), 102);
        assert_eq!(c.start(2), 200);
        assert_eq!(c.span(3, 4), Span::new(201, 203));
        assert_eq!(c.span(0, 4), Span::new(101, 203));
    }

    #[test]
    fn empty_mapping_is_harmless() {
        let m = Mapping::default();
        assert_eq!(m.span(0, 5), Span::new(0, 0));
    }
}
