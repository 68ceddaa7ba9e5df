//! The evaluating thread's CPU time, which decides whether a rule on the
//! interpreter went over its time limit.
//!
//! regorus's time limits read the wall clock (with `std`, its clock cannot
//! be replaced), which runs on while a busy machine gives the thread no
//! CPU: the same scan could pass on a quiet runner and fail with exit 2 on
//! a loaded one. An evaluation runs on one thread from start to end, so
//! that thread's CPU time counts only the work it did; the interpreter's
//! verdict is taken on it (`interpret_rule` in the engine), the wall clock
//! is only what stops the work.
//!
//! Linux and macOS (`CLOCK_THREAD_CPUTIME_ID`); elsewhere `None`, and the
//! wall clock decides as before.

use std::time::Duration;

/// CPU time the calling thread has used, where the platform has the clock.
pub fn thread_cpu_time() -> Option<Duration> {
    #[cfg(any(target_os = "linux", target_os = "macos"))]
    {
        let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
        Some(Duration::new(
            u64::try_from(t.tv_sec).unwrap_or(0),
            u32::try_from(t.tv_nsec).unwrap_or(0),
        ))
    }
    #[cfg(not(any(target_os = "linux", target_os = "macos")))]
    {
        None
    }
}

#[cfg(all(test, any(target_os = "linux", target_os = "macos")))]
mod tests {
    use super::*;

    /// Sleeping uses no CPU time; spinning does.
    #[test]
    fn the_thread_clock_counts_work_not_waiting() {
        let start = thread_cpu_time().unwrap();
        std::thread::sleep(Duration::from_millis(200));
        let slept = thread_cpu_time().unwrap() - start;
        assert!(slept < Duration::from_millis(100), "{slept:?}");
        let start = thread_cpu_time().unwrap();
        let wall = std::time::Instant::now();
        let mut x = 0u64;
        while wall.elapsed() < Duration::from_millis(200) {
            x = std::hint::black_box(x.wrapping_add(1));
        }
        assert!(thread_cpu_time().unwrap() - start > Duration::from_millis(20));
    }
}
