use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys as mi;

/// mimalloc: parsing and rule evaluation allocate many small, short-lived
/// values from several threads, where it is markedly faster than the
/// system allocator (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: Mimalloc = Mimalloc;

/// mimalloc through its plain entry points wherever they give the layout's
/// alignment. The `mimalloc` crate's allocator calls the aligned ones for
/// every allocation (`mi_malloc_aligned(size, align)`), whose extra checks
/// and slower path for blocks over 1 KiB were about 4% of a scan's
/// instructions (BENCHMARKS.md, stop 27); nearly every Rust allocation
/// asks for 8 bytes of alignment or less.
struct Mimalloc;

/// The alignment every block of `mi_malloc` has: its size classes are
/// multiples of the word, its pages start 16-byte aligned, and larger
/// blocks are page aligned (`mi_bin` in mimalloc's `page-queue.c`). Blocks of
/// an odd number of words are not 16-byte aligned, so 16 is not this.
const PLAIN_ALIGN: usize = std::mem::size_of::<usize>();

fn plain(layout: Layout) -> bool {
    layout.align() <= PLAIN_ALIGN
}

// SAFETY: each function hands the request to the mimalloc function made for
// it; the plain ones only for alignments their blocks always have
// (`PLAIN_ALIGN`), and `mi_free` frees blocks of either kind.
unsafe impl GlobalAlloc for Mimalloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: see the impl.
        unsafe {
            match plain(layout) {
                true => mi::mi_malloc(layout.size()),
                false => mi::mi_malloc_aligned(layout.size(), layout.align()),
            }
        }
        .cast()
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: see the impl.
        unsafe {
            match plain(layout) {
                true => mi::mi_zalloc(layout.size()),
                false => mi::mi_zalloc_aligned(layout.size(), layout.align()),
            }
        }
        .cast()
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from this allocator, so from mimalloc.
        unsafe { mi::mi_free(ptr.cast::<c_void>()) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let ptr = ptr.cast::<c_void>();
        // SAFETY: see the impl; `ptr` came from this allocator.
        unsafe {
            match plain(layout) {
                true => mi::mi_realloc(ptr, new_size),
                false => mi::mi_realloc_aligned(ptr, new_size, layout.align()),
            }
        }
        .cast()
    }
}

fn main() -> std::process::ExitCode {
    quiet_library_backtraces();
    if std::env::args_os()
        .nth(1)
        .is_none_or(|command| command != "lsp")
    {
        keep_freed_memory();
    }
    driftless::cli::main()
}

/// `mi_option_purge_delay` in mimalloc v3's `mimalloc.h` (the version
/// libmimalloc-sys builds, pinned in Cargo.lock); -1 never purges.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// A command that ends within seconds keeps the memory it frees for its
/// own later allocations. By default mimalloc hands freed memory back to
/// the OS after a second, and memory touched again after that costs a page
/// fault, in a VM often a host fault too: on the real corpus that was about
/// a seventh of a scan's CPU time (BENCHMARKS.md, stop 25). The language
/// server runs for hours and keeps the default.
fn keep_freed_memory() {
    // SAFETY: sets one integer option; mimalloc reads it at each purge.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
}

/// regorus builds `anyhow` errors on paths it recovers from during
/// evaluation; with `RUST_BACKTRACE=1` in a user's environment each one
/// captured a backtrace, for nothing (2–3% more instructions on the
/// benchmark corpus, BENCHMARKS.md).
/// `RUST_LIB_BACKTRACE=0` turns off only those library backtraces: panics
/// still print theirs under `RUST_BACKTRACE`. An explicit setting is kept.
fn quiet_library_backtraces() {
    if std::env::var_os("RUST_LIB_BACKTRACE").is_none() {
        // SAFETY: first thing in `main`, before any other thread exists
        // that could read the environment concurrently.
        unsafe { std::env::set_var("RUST_LIB_BACKTRACE", "0") };
    }
}

#[cfg(test)]
mod tests {
    use std::alloc::{GlobalAlloc, Layout};

    /// Every size and alignment a program may ask for comes back aligned,
    /// through each entry point, including blocks of an odd number of words
    /// asked with 16-byte alignment (which the plain path would not align)
    /// and blocks past mimalloc's small and large size classes.
    #[test]
    fn every_block_has_its_layouts_alignment() {
        let sizes = (1..=300).chain([1023, 1024, 1025, 4095, 70_000, 1 << 20, 40 << 20]);
        for size in sizes {
            for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
                let layout = Layout::from_size_align(size, align).expect("layout");
                // SAFETY: non-zero sizes; every block is freed with its layout.
                unsafe {
                    let a = super::GLOBAL.alloc(layout);
                    let z = super::GLOBAL.alloc_zeroed(layout);
                    assert!(!a.is_null() && !z.is_null());
                    assert_eq!(a as usize % align, 0, "alloc {size} {align}");
                    assert_eq!(z as usize % align, 0, "alloc_zeroed {size} {align}");
                    assert!(std::slice::from_raw_parts(z, size).iter().all(|&b| b == 0));
                    a.write_bytes(7, size);
                    let grown = super::GLOBAL.realloc(a, layout, size * 3);
                    assert_eq!(grown as usize % align, 0, "realloc {size} {align}");
                    assert!(
                        std::slice::from_raw_parts(grown, size)
                            .iter()
                            .all(|&b| b == 7)
                    );
                    let grown_layout = Layout::from_size_align(size * 3, align).expect("layout");
                    super::GLOBAL.dealloc(grown, grown_layout);
                    super::GLOBAL.dealloc(z, layout);
                }
            }
        }
    }

    /// The option number is mimalloc's purge delay: nothing else defaults
    /// to its 1000 ms. A mimalloc update that renumbers the options fails
    /// here instead of setting another option.
    #[test]
    fn the_option_set_is_the_purge_delay() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return;
        }
        // SAFETY: reads one integer option.
        let delay = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(delay, 1000);
    }
}
