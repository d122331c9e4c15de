//! The process's resident memory, sampled while a test runs. Process-wide by nature: the
//! tests that use it run in a binary of their own (`tests/process/`), where no other test's
//! allocations inflate the peak.

/// The most this process's resident memory rose above where it was when sampling began,
/// sampled every millisecond on a thread of its own until `stop`.
pub struct MemoryPeak {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<u64>,
}

fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

impl MemoryPeak {
    pub fn start() -> MemoryPeak {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let base = resident_bytes();
        let thread = std::thread::spawn(move || {
            let mut peak = base;
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                peak = peak.max(resident_bytes());
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            peak.saturating_sub(base)
        });
        MemoryPeak { stop, thread }
    }

    /// Bytes above the start, at the highest.
    pub fn stop(self) -> u64 {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.thread.join().unwrap()
    }
}
