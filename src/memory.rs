//! The process's memory backstop: a scan that grows past a limit stops with
//! exit code 2 and says what it was working on, instead of being killed by
//! the system (no report, a signal for an exit code) or taking the machine
//! down with it.
//!
//! Every input has its own bound (docs/safety.md: file size, YAML aliases,
//! `ARG` expansion, Terraform budgets, rule instructions), so an ordinary
//! scan never comes near the limit. What has none is the memory a rule's
//! builtins allocate in one step (a user policy that doubles a string forty
//! times): regorus counts instructions, not bytes, and its counting
//! allocator costs every scan 17–26% CPU. This watchdog samples the
//! resident set instead, which costs nothing measurable, and is the same
//! backstop for every stage.
//!
//! Linux only (`/proc/self/status`); elsewhere [`Watchdog::start`] does
//! nothing and the system's own limits apply.

use std::sync::Mutex;
use std::thread::ThreadId;
use std::time::Duration;

/// Default limit when neither `--max-memory` nor `max_memory` sets one:
/// 4 GiB, or 80% of the machine's memory when that is less, so the
/// watchdog trips before the system's out-of-memory killer does.
pub fn default_limit() -> u64 {
    const FOUR_GIB: u64 = 4 << 30;
    match total_memory() {
        Some(total) => FOUR_GIB.min(total / 5 * 4),
        None => FOUR_GIB,
    }
}

/// How often the resident set is read: a string doubling from 1 to 2 GiB
/// takes longer than this, so the limit is seen before the next doubling.
const INTERVAL: Duration = Duration::from_millis(20);

/// What each worker thread is reading or evaluating, named in the error.
static WORKING_ON: Mutex<Vec<(ThreadId, String)>> = Mutex::new(Vec::new());

/// Records what the current thread works on until the returned value is
/// dropped; the watchdog's error names it.
pub fn working_on(what: impl std::fmt::Display) -> WorkingOn {
    let id = std::thread::current().id();
    if let Ok(mut list) = WORKING_ON.lock() {
        list.retain(|(on, _)| *on != id);
        list.push((id, what.to_string()));
    }
    WorkingOn(id)
}

/// Clears the current thread's entry in [`working_on`]'s list when dropped.
pub struct WorkingOn(ThreadId);

impl Drop for WorkingOn {
    fn drop(&mut self) {
        if let Ok(mut list) = WORKING_ON.lock() {
            list.retain(|(on, _)| *on != self.0);
        }
    }
}

/// The running watchdog; the scan keeps it for its whole run.
pub struct Watchdog;

impl Watchdog {
    /// Starts a thread that ends the process with exit code 2 and an error
    /// on stderr once the resident set passes `limit` bytes. The thread
    /// lives as long as the process (the CLI runs one scan).
    pub fn start(limit: u64) -> Watchdog {
        if resident_bytes().is_none() {
            return Watchdog;
        }
        let spawned = std::thread::Builder::new()
            .name("memory-watchdog".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(INTERVAL);
                    if let Some(rss) = resident_bytes().filter(|rss| *rss > limit) {
                        eprintln!("{}", over_limit_message(rss, limit, &working()));
                        std::process::exit(2);
                    }
                }
            });
        if let Err(e) = spawned {
            eprintln!("warning: the memory watchdog did not start ({e}); memory is not bounded");
        }
        Watchdog
    }
}

/// What the worker threads are on, one per line.
fn working() -> Vec<String> {
    WORKING_ON
        .lock()
        .map(|list| list.iter().map(|(_, what)| what.clone()).collect())
        .unwrap_or_default()
}

/// The error printed when the limit trips.
pub fn over_limit_message(rss: u64, limit: u64, working: &[String]) -> String {
    let mib = |b: u64| b >> 20;
    let mut message = format!(
        "error: driftless stopped at {} MiB of memory, over its limit of {} MiB \
         (`--max-memory`, `max_memory` in .driftless.yaml); the scan is incomplete (exit code 2)",
        mib(rss),
        mib(limit)
    );
    if working.is_empty() {
        message.push_str("\n  working on: (no file: setting up, or writing the report)");
    }
    for what in working {
        message.push_str(&format!("\n  working on: {what}"));
    }
    message.push_str(
        "\n  help: a custom rule that builds huge values (a string doubled many times) is the \
         usual cause; otherwise raise the limit or exclude the file",
    );
    message
}

/// The process's resident set in bytes (`VmRSS` of `/proc/self/status`,
/// in KiB whatever the page size).
fn resident_bytes() -> Option<u64> {
    kib_field(
        &std::fs::read_to_string("/proc/self/status").ok()?,
        "VmRSS:",
    )
}

/// `MemTotal` of `/proc/meminfo`, in bytes.
fn total_memory() -> Option<u64> {
    kib_field(&std::fs::read_to_string("/proc/meminfo").ok()?, "MemTotal:")
}

/// The value of a `Name:   1234 kB` line, in bytes.
fn kib_field(text: &str, name: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(name))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib << 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_names_what_each_worker_was_on() {
        let m = over_limit_message(
            600 << 20,
            512 << 20,
            &["rules/custom.rego on app/Dockerfile".into()],
        );
        assert!(m.contains("600 MiB"), "{m}");
        assert!(m.contains("limit of 512 MiB"), "{m}");
        assert!(
            m.contains("working on: rules/custom.rego on app/Dockerfile"),
            "{m}"
        );
    }

    #[test]
    fn working_on_is_cleared_when_dropped() {
        {
            let _on = working_on("a.tf");
            assert!(working().iter().any(|w| w == "a.tf"));
        }
        assert!(!working().iter().any(|w| w == "a.tf"));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_limit_is_at_most_four_gib_and_the_resident_set_is_read() {
        assert!(default_limit() <= 4 << 30 && default_limit() > 0);
        assert!(resident_bytes().unwrap() > 0);
    }
}
