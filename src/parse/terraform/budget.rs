//! The evaluation budget: how much work (expressions evaluated, value nodes
//! copied or built) evaluating a module may take.
//!
//! Each *root* — an attribute, a local, a variable value, a `dynamic` block —
//! has an allowance of its own, so one expensive expression cannot starve
//! the values after it: they are evaluated whatever the order of files. A
//! root always gets a floor proportional to its own source text (a literal
//! costs at most about one unit per byte), so a module of plain literals is
//! evaluated whole, in linear time. Above the floor, roots draw on one
//! module-wide pool, which bounds time and memory however many expensive
//! expressions a module holds. A root that runs out is reported by the
//! evaluator (`EVAL001`) and its value stays as expression text.

use std::cell::Cell;

/// Most units one root may spend (a `for` over 1,000 elements nested in
/// another needs about two million: it is reported, not evaluated).
pub(crate) const ROOT_BUDGET: u64 = 500_000;
/// Units all roots of a module may spend above their floors together.
pub(crate) const MODULE_BUDGET: u64 = 2_000_000;
/// Floor of every root, plus [`FLOOR_PER_BYTE`] per byte of its source.
const FLOOR_BASE: u64 = 64;
const FLOOR_PER_BYTE: u64 = 2;

/// The budget of one module's evaluation.
pub(crate) struct Budget {
    /// Units left in the module-wide pool.
    module_left: Cell<u64>,
    /// Units left to the root being evaluated.
    root_left: Cell<u64>,
    /// Whether a root is being evaluated.
    in_root: Cell<bool>,
    /// The current root asked for more than it had.
    exhausted: Cell<bool>,
}

/// The enclosing root's state, restored when a nested root ends.
pub(crate) struct Saved {
    root_left: u64,
    in_root: bool,
    exhausted: bool,
    allowance: u64,
    floor: u64,
}

impl Budget {
    /// A full budget for one module.
    pub fn new() -> Self {
        Budget {
            module_left: Cell::new(MODULE_BUDGET),
            root_left: Cell::new(ROOT_BUDGET),
            in_root: Cell::new(false),
            exhausted: Cell::new(false),
        }
    }

    /// Whether a root is being evaluated (parts of it are not roots).
    pub fn in_root(&self) -> bool {
        self.in_root.get()
    }

    /// Starts a root whose source text is `source_len` bytes long.
    pub fn begin(&self, source_len: u64) -> Saved {
        let floor = FLOOR_BASE.saturating_add(FLOOR_PER_BYTE.saturating_mul(source_len));
        let allowance = ROOT_BUDGET.min(self.module_left.get()).max(floor);
        Saved {
            root_left: self.root_left.replace(allowance),
            in_root: self.in_root.replace(true),
            exhausted: self.exhausted.replace(false),
            allowance,
            floor,
        }
    }

    /// Ends the root started by `begin`: what it spent above its floor
    /// leaves the module pool. True when the root ran out.
    pub fn end(&self, saved: Saved) -> bool {
        let spent = saved.allowance - self.root_left.get();
        let above_floor = spent.saturating_sub(saved.floor);
        self.module_left
            .set(self.module_left.get().saturating_sub(above_floor));
        self.root_left.set(saved.root_left);
        self.in_root.set(saved.in_root);
        self.exhausted.replace(saved.exhausted)
    }

    /// Units left to the current root.
    pub fn root_left(&self) -> u64 {
        self.root_left.get()
    }

    /// Spends `n` units of the current root; false (and the root marked as
    /// exhausted) when it has fewer left.
    pub fn charge(&self, n: u64) -> bool {
        let left = self.root_left.get();
        if left < n {
            self.root_left.set(0);
            self.exhausted.set(true);
            return false;
        }
        self.root_left.set(left - n);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exhausted_root_does_not_starve_the_next() {
        let b = Budget::new();
        let heavy = b.begin(40);
        while b.charge(1000) {}
        assert!(b.end(heavy));
        let light = b.begin(10);
        assert!(b.charge(50));
        assert!(!b.end(light));
    }

    #[test]
    fn a_nested_root_has_its_own_allowance_and_restores_the_outer_one() {
        let b = Budget::new();
        let outer = b.begin(10);
        assert!(b.charge(10));
        let inner = b.begin(10);
        while b.charge(1000) {}
        assert!(b.end(inner));
        assert!(b.charge(10), "the outer root keeps what it had");
        assert!(!b.end(outer));
    }

    #[test]
    fn past_the_module_pool_roots_still_get_their_floor() {
        let b = Budget::new();
        for _ in 0..MODULE_BUDGET / ROOT_BUDGET + 1 {
            let r = b.begin(10);
            while b.charge(1000) {}
            b.end(r);
        }
        let r = b.begin(100);
        assert!(b.charge(FLOOR_BASE + 2 * 100), "the floor is left");
        assert!(!b.charge(1), "but no more");
        assert!(b.end(r));
    }
}
