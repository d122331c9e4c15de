//! The browser checks, in a binary of their own so that they run alone: they measure how a
//! page lays out in Chromium (layout shift, tap targets), and with the suite's hundreds of
//! tests sharing the two cores, pages arrive late enough to shift — a failure of the
//! machine's load, not of the page. Cargo runs test binaries one after another.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accessibility;
