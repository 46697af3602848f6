//! The text statistics the scorer and the chunk reader both weigh an element by.

/// Text statistics of one element's non-junk subtree.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Stats {
    pub chars: usize,
    pub link_chars: usize,
    pub commas: usize,
    /// Characters of text directly inside the element (not propagated).
    pub direct_chars: usize,
    pub direct_commas: usize,
}

impl Stats {
    pub(super) fn link_density(&self) -> f64 {
        if self.chars == 0 {
            0.0
        } else {
            self.link_chars as f64 / self.chars as f64
        }
    }
}
