//! Password hashing: argon2id at OWASP's parameters (19 MiB, 2 passes, 1 lane).
//!
//! Hashing costs ~20 MiB and tens of milliseconds of CPU, so it never runs on the async
//! workers: it runs on tokio's blocking pool, behind a semaphore sized to the cores less one,
//! so a flood of sign-ins queues there while every other request keeps being served.
//! Checking an unknown email verifies against a dummy hash, so it costs the same as a known
//! one.
use std::sync::Arc;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::error::{Error, Result};

/// Shortest and longest password accepted. The upper bound keeps a megabyte "password"
/// from becoming a hashing cost; argon2 itself has no need for it.
pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 256;

#[derive(Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
    params: Params,
    /// Verified against when the account does not exist.
    dummy: Arc<String>,
    /// argon2 verifications run, known account or not: what makes the two cost the same.
    verified: Arc<std::sync::atomic::AtomicU64>,
}

impl std::fmt::Debug for Passwords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passwords")
    }
}

fn argon2(params: &Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
}

fn hash_blocking(params: &Params, password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2(params)
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("hashing a password failed: {e}")))
}

impl Passwords {
    /// OWASP's argon2id recommendation: m = 19 MiB, t = 2, p = 1.
    pub fn owasp() -> Result<Self> {
        let params = Params::new(19 * 1024, 2, 1, None)
            .map_err(|e| Error::Internal(format!("argon2 parameters: {e}")))?;
        // One core stays free for every other request: during a flood of sign-ins the
        // pages signed-in people load keep their latency (`tests/bench.sh`, the storm).
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        let hashing = cores.saturating_sub(1).max(1);
        let dummy = hash_blocking(&params, "portico dummy password for unknown accounts")?;
        Ok(Passwords {
            permits: Arc::new(Semaphore::new(hashing)),
            params,
            dummy: Arc::new(dummy),
            verified: Arc::default(),
        })
    }

    /// Checks length only: composition rules make passwords worse, not better.
    pub fn check_policy(password: &str) -> std::result::Result<(), String> {
        let len = password.chars().count();
        if len < MIN_LEN {
            Err(format!("Use at least {MIN_LEN} characters."))
        } else if password.len() > MAX_LEN {
            Err(format!("Use at most {MAX_LEN} characters."))
        } else {
            Ok(())
        }
    }

    async fn on_blocking_pool<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| Error::Internal("password hashing is shut down".into()))?;
        tokio::task::spawn_blocking(f)
            .await
            .map_err(|e| Error::Internal(format!("password hashing task failed: {e}")))
    }

    /// How many argon2 verifications have run since start-up.
    pub fn verifications(&self) -> u64 {
        self.verified.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub async fn hash(&self, password: &str) -> Result<String> {
        let params = self.params.clone();
        let password = password.to_string();
        self.on_blocking_pool(move || hash_blocking(&params, &password))
            .await?
    }

    /// Whether `password` matches `stored`; with no stored hash (unknown account, or no
    /// password set yet) it spends the same time and answers `false`.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> Result<bool> {
        let known = stored.is_some();
        let hash = stored
            .map(str::to_string)
            .unwrap_or_else(|| self.dummy.as_ref().clone());
        let password = password.to_string();
        let params = self.params.clone();
        let verified = self.verified.clone();
        let ok = self
            .on_blocking_pool(move || match PasswordHash::new(&hash) {
                Ok(parsed) => {
                    verified.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    argon2(&params)
                        .verify_password(password.as_bytes(), &parsed)
                        .is_ok()
                }
                Err(_) => false,
            })
            .await?;
        Ok(ok && known)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_unknown_accounts_never_match() {
        let p = Passwords::owasp().unwrap();
        let hash = p.hash("correct horse battery").await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(p
            .verify("correct horse battery", Some(&hash))
            .await
            .unwrap());
        assert!(!p.verify("wrong horse battery", Some(&hash)).await.unwrap());
        assert!(!p.verify("correct horse battery", None).await.unwrap());
        // The dummy's own password does not open an account that has none.
        assert!(!p
            .verify("portico dummy password for unknown accounts", None)
            .await
            .unwrap());
        assert!(!p.verify("x", Some("not a phc string")).await.unwrap());
        assert_ne!(
            hash,
            p.hash("correct horse battery").await.unwrap(),
            "salted"
        );
    }

    #[test]
    fn policy_is_about_length() {
        assert!(Passwords::check_policy("short").is_err());
        assert!(Passwords::check_policy("ten chars!").is_ok());
        assert!(Passwords::check_policy(&"x".repeat(MAX_LEN + 1)).is_err());
    }
}
