//! Rate limits on the doors attackers push on: sign-in (and later one-time links, password
//! resets and invitation acceptance), per client address and per account, in memory.
//! `governor` (GCRA) does the counting.
use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::Error;

pub struct AttemptLimits {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    per_account: DefaultKeyedRateLimiter<String>,
}

impl std::fmt::Debug for AttemptLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AttemptLimits")
    }
}

fn quota(per_minute: u32, burst: u32) -> Quota {
    let n = |v: u32| NonZeroU32::new(v.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::per_minute(n(per_minute)).allow_burst(n(burst))
}

impl Default for AttemptLimits {
    /// An address may try 30 times a minute (an office behind one NAT); one account 5 times
    /// a minute, whoever is asking.
    fn default() -> Self {
        AttemptLimits::new(30, 5)
    }
}

impl AttemptLimits {
    /// Budgets per minute, each usable in one burst.
    pub fn new(per_address: u32, per_account: u32) -> Self {
        AttemptLimits {
            per_ip: RateLimiter::keyed(quota(per_address, per_address)),
            per_account: RateLimiter::keyed(quota(per_account, per_account)),
        }
    }

    /// Counts one attempt; refuses it when either budget is spent.
    pub fn check(&self, ip: Option<IpAddr>, account: &str) -> Result<(), Error> {
        let clock = DefaultClock::default();
        let refuse = |not_until: governor::NotUntil<_>| Error::TooManyAttempts {
            retry_after_secs: not_until.wait_time_from(clock.now()).as_secs().max(1),
        };
        if let Some(ip) = ip {
            self.per_ip.check_key(&ip).map_err(refuse)?;
        }
        self.per_account
            .check_key(&account.to_ascii_lowercase())
            .map_err(refuse)?;
        Ok(())
    }
}
