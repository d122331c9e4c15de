//! Tests that measure the test process itself, kept out of `tests/suite/` on purpose: there,
//! hundreds of other tests run in parallel in the same process, and their allocations would
//! count against the measurement. `MemoryPeak` samples the process's resident memory, so
//! `hostile_input`'s "a 50 MB field is refused with memory barely moving" is only true or
//! false here, where the only other tests are this file's own, and they wait for it
//! (`MEASURING`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod hostile_input;
