//! Secrets kept at rest encrypted — a workspace's payment-provider keys — and signatures
//! checked in constant time.
//!
//! [`SecretBox`] seals with XChaCha20-Poly1305 under the deployment's key
//! (`PortalConfig::secret_key`; the host reads `PORTICO_SECRET_KEY` or keeps a generated one
//! in its data directory): a random 24-byte nonce per value, stored as hex beside the
//! ciphertext. A database dump without the key reveals nothing; a value moved to another
//! row still opens, which is why callers bind what it is for into `context` (authenticated
//! data), so a key copied from one workspace's row into another's does not open there.
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::error::{Error, Result};

/// The deployment's key: 32 bytes that never show in a `Debug` print or a log.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey([u8; 32]);

impl SecretKey {
    pub fn from_bytes(bytes: [u8; 32]) -> SecretKey {
        SecretKey(bytes)
    }

    /// A fresh random key, for a deployment that has none yet.
    pub fn random() -> SecretKey {
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        SecretKey(key)
    }

    /// 64 hex digits, as kept in configuration or a key file.
    pub fn from_hex(hex: &str) -> Option<SecretKey> {
        unhex(hex.trim())
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .map(SecretKey)
    }

    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

#[derive(Clone)]
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(..)")
    }
}

impl SecretBox {
    pub fn new(key: &SecretKey) -> SecretBox {
        SecretBox {
            cipher: XChaCha20Poly1305::new((&key.0).into()),
        }
    }

    /// `nonce‖ciphertext`, hex.
    pub fn seal(&self, plain: &str, context: &str) -> Result<String> {
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| Error::Internal("sealing a secret failed".into()))?;
        Ok(hex(&nonce) + &hex(&sealed))
    }

    /// The plain value, or an error if it was sealed under another key or context, or
    /// changed.
    pub fn open(&self, sealed: &str, context: &str) -> Result<String> {
        let bad =
            || Error::Internal("a stored secret does not open with this deployment's key".into());
        let bytes = unhex(sealed).ok_or_else(bad)?;
        if bytes.len() < 24 + 16 {
            return Err(bad());
        }
        let (nonce, body) = bytes.split_at(24);
        let plain = self
            .cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| bad())?;
        String::from_utf8(plain).map_err(|_| bad())
    }
}

/// HMAC-SHA256 of `message` under `key`, hex.
pub fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    // HMAC takes keys of any length.
    let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(message);
    hex(&mac.finalize().into_bytes())
}

/// Whether `a` and `b` are equal, in time that does not depend on where they differ.
pub use crate::auth::same;

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_their_key_and_context() {
        let a = SecretBox::new(&SecretKey::from_bytes([7; 32]));
        let sealed = a.seal("sk_test_123", "workspace:1").unwrap();
        assert!(!sealed.contains("sk_test"));
        assert_eq!(a.open(&sealed, "workspace:1").unwrap(), "sk_test_123");
        assert!(a.open(&sealed, "workspace:2").is_err(), "bound to its row");
        assert!(SecretBox::new(&SecretKey::from_bytes([8; 32]))
            .open(&sealed, "workspace:1")
            .is_err());
        assert_eq!(
            format!("{:?}", SecretKey::from_bytes([7; 32])),
            "SecretKey(..)"
        );
        let mut tampered = sealed.clone();
        tampered.replace_range(60..62, if &sealed[60..62] == "00" { "01" } else { "00" });
        assert!(a.open(&tampered, "workspace:1").is_err());
        assert_ne!(
            a.seal("x", "c").unwrap(),
            a.seal("x", "c").unwrap(),
            "fresh nonce"
        );
    }

    #[test]
    fn hmac_matches_the_rfc_4231_vector() {
        // RFC 4231, test case 2.
        assert_eq!(
            hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }
}
