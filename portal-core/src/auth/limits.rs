//! Rate limits on the doors attackers push on — sign-in, two-step codes, password changes,
//! one-time links — built so that they slow the stranger and never the owner:
//!
//! - **Every attempt** costs the client address ([`AddressKey`]: an IPv4 address, or an
//!   IPv6 address's /64, which one subscriber holds whole).
//! - **Wrong guesses** cost the pair (account, address): after `per_account` wrong passwords
//!   or codes in a minute, that address may not try that account again until the minute
//!   is over. Nothing is charged to the account as such, so a stranger guessing wrong from
//!   anywhere never stops the owner, from their own address, with the right password.
//! - **Requests that send email** (sign-in and reset links) cost the account itself, so
//!   nobody can flood a mailbox; the owner already holds the links those requests sent.
//!
//! All three are counted in windows of a minute that begin with the first event, kept in
//! `moka` caches whose entries expire with their window and whose size is capped, so
//! addresses rotated by the thousand cannot grow memory without bound (the cache keeps the
//! entries used most and refuses to grow). A hand-rolled count on a cache rather than
//! `governor`: "refuse if this address already guessed wrong five times" must look at a
//! budget without spending it, which `governor` cannot, and its keyed map only shrinks
//! when pruned.
use std::net::{IpAddr, Ipv6Addr};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::Error;

/// The window everything is counted in.
const WINDOW: Duration = Duration::from_secs(60);
/// The most keys each count remembers.
pub const MAX_TRACKED: u64 = 100_000;

/// What a client address is counted as: IPv4 whole, IPv6 by its /64.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AddressKey(IpAddr);

impl AddressKey {
    pub fn of(ip: IpAddr) -> AddressKey {
        match ip {
            IpAddr::V4(_) => AddressKey(ip),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => AddressKey(IpAddr::V4(v4)),
                None => {
                    let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                    AddressKey(IpAddr::V6(Ipv6Addr::from(prefix)))
                }
            },
        }
    }
}

/// Events of one key within the window that began with the first.
struct Window {
    count: AtomicU32,
    since: Instant,
}

impl Window {
    fn new() -> Arc<Window> {
        Arc::new(Window {
            count: AtomicU32::new(0),
            since: Instant::now(),
        })
    }

    fn wait(&self) -> Error {
        Error::TooManyAttempts {
            retry_after_secs: WINDOW.saturating_sub(self.since.elapsed()).as_secs().max(1),
        }
    }
}

/// Counts per key, forgotten a window after each key's first event.
struct Counts<K>(moka::sync::Cache<K, Arc<Window>>);

impl<K: std::hash::Hash + Eq + Send + Sync + 'static> Counts<K> {
    fn new() -> Self {
        Counts(
            moka::sync::Cache::builder()
                .max_capacity(MAX_TRACKED)
                .time_to_live(WINDOW)
                .build(),
        )
    }

    /// Adds one event; `Err` when that makes more than `budget`.
    fn charge(&self, key: K, budget: u32) -> Result<(), Error> {
        let w = self.0.get_with(key, Window::new);
        if w.count.fetch_add(1, Ordering::Relaxed) >= budget {
            return Err(w.wait());
        }
        Ok(())
    }

    /// `Err` when the key has already had `budget` events; adds nothing.
    fn look(&self, key: &K, budget: u32) -> Result<(), Error> {
        match self.0.get(key) {
            Some(w) if w.count.load(Ordering::Relaxed) >= budget => Err(w.wait()),
            _ => Ok(()),
        }
    }

    fn len(&self) -> u64 {
        self.0.run_pending_tasks();
        self.0.entry_count()
    }
}

pub struct AttemptLimits {
    attempts: Counts<AddressKey>,
    failures: Counts<(String, Option<AddressKey>)>,
    sends: Counts<String>,
    per_address: u32,
    per_account: u32,
}

impl std::fmt::Debug for AttemptLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AttemptLimits")
    }
}

impl Default for AttemptLimits {
    /// An address may try 30 times a minute (an office behind one NAT); five wrong guesses a
    /// minute at one account from one address.
    fn default() -> Self {
        AttemptLimits::new(30, 5)
    }
}

impl AttemptLimits {
    /// Budgets per minute: attempts per address; wrong guesses per account and address, and
    /// emails per account.
    pub fn new(per_address: u32, per_account: u32) -> Self {
        AttemptLimits {
            attempts: Counts::new(),
            failures: Counts::new(),
            sends: Counts::new(),
            per_address: per_address.max(1),
            per_account: per_account.max(1),
        }
    }

    /// Counts one attempt from `ip`, and refuses it when the address has spent its budget or
    /// has guessed wrong at `account` too often this minute. Call before checking anything.
    pub fn before(&self, ip: Option<IpAddr>, account: &str) -> Result<(), Error> {
        let key = ip.map(AddressKey::of);
        if let Some(key) = key {
            self.attempts.charge(key, self.per_address)?;
        }
        self.failures
            .look(&(account.to_ascii_lowercase(), key), self.per_account)
    }

    /// Records a wrong password or code from `ip` at `account`.
    pub fn failed(&self, ip: Option<IpAddr>, account: &str) {
        let key = (account.to_ascii_lowercase(), ip.map(AddressKey::of));
        let _ = self.failures.charge(key, u32::MAX);
    }

    /// Charges `account` for one email sent on request; `false` once this minute's budget is
    /// spent (the caller then sends nothing, and says the same as when it does).
    pub fn may_send(&self, account: &str) -> bool {
        self.sends
            .charge(account.to_ascii_lowercase(), self.per_account)
            .is_ok()
    }

    /// How many addresses and (account, address) pairs are remembered now.
    pub fn tracked(&self) -> (u64, u64) {
        (self.attempts.len(), self.failures.len())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn wrong_guesses_lock_out_the_guessing_address_not_the_account() {
        let limits = AttemptLimits::new(100, 3);
        for _ in 0..3 {
            limits
                .before(ip("203.0.113.9"), "portal:1:owner@x")
                .unwrap();
            limits.failed(ip("203.0.113.9"), "portal:1:owner@x");
        }
        assert!(matches!(
            limits.before(ip("203.0.113.9"), "portal:1:owner@x"),
            Err(Error::TooManyAttempts { retry_after_secs }) if (1..=60).contains(&retry_after_secs)
        ));
        // The owner, elsewhere, is not refused; nor is the stranger at another account.
        limits
            .before(ip("198.51.100.4"), "portal:1:owner@x")
            .unwrap();
        limits
            .before(ip("203.0.113.9"), "portal:1:other@x")
            .unwrap();
        // Attempts that are not wrong cost nothing against the account.
        for _ in 0..10 {
            limits
                .before(ip("198.51.100.4"), "portal:1:owner@x")
                .unwrap();
        }
    }

    #[test]
    fn an_address_is_slowed_whatever_account_it_tries() {
        let limits = AttemptLimits::new(4, 100);
        for n in 0..4 {
            limits.before(ip("203.0.113.9"), &format!("a{n}")).unwrap();
        }
        assert!(limits.before(ip("203.0.113.9"), "a9").is_err());
        limits.before(ip("203.0.113.10"), "a9").unwrap();
    }

    #[test]
    fn ipv6_addresses_count_by_their_64() {
        let limits = AttemptLimits::new(2, 100);
        limits.before(ip("2001:db8:1:2::1"), "a").unwrap();
        limits.before(ip("2001:db8:1:2:ffff::9"), "b").unwrap();
        assert!(limits.before(ip("2001:db8:1:2:abcd::1"), "c").is_err());
        limits.before(ip("2001:db8:1:3::1"), "d").unwrap();
        assert_eq!(
            AddressKey::of("::ffff:192.0.2.1".parse().unwrap()),
            AddressKey::of("192.0.2.1".parse().unwrap())
        );
    }

    #[test]
    fn emails_per_account_are_limited() {
        let limits = AttemptLimits::new(100, 2);
        assert!(limits.may_send("link:1:a@x"));
        assert!(limits.may_send("LINK:1:A@x"));
        assert!(!limits.may_send("link:1:a@x"));
        assert!(limits.may_send("link:1:b@x"));
    }

    #[test]
    fn rotating_addresses_do_not_grow_memory_without_bound() {
        let limits = AttemptLimits::default();
        // Many more addresses than are kept, each trying once and guessing wrong.
        for n in 0u32..(MAX_TRACKED as u32 + 50_000) {
            let addr = Some(IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + n)));
            let _ = limits.before(addr, "portal:1:owner@x");
            limits.failed(addr, "portal:1:owner@x");
        }
        let (addresses, pairs) = limits.tracked();
        assert!(addresses <= MAX_TRACKED, "{addresses}");
        assert!(pairs <= MAX_TRACKED, "{pairs}");
    }
}
