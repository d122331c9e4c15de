//! The secrets that prove a session, a sign-in link or an API token.
//!
//! A token is 256 bits from the OS RNG, handed out once; the database keeps only its SHA-256,
//! so a leaked table grants nothing.
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::secrets::hex;

/// A fresh random token (hex, 256 bits) and the hash to store.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = hex(&bytes);
    let hash = hash_token(&token);
    (token, hash)
}

pub fn hash_token(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// How an owner names one of their sessions or API tokens in a URL: the first 16 hex digits
/// of its hash — enough to tell their own apart, useless for anything else, since every
/// statement that takes one is also bound to the owner.
const HANDLE_LEN: usize = 16;

pub fn handle_of(hash: &str) -> String {
    hash[..HANDLE_LEN.min(hash.len())].to_string()
}

/// The `LIKE` pattern matching the hash a handle from a URL names; `None` if it is not one.
pub fn handle_pattern(raw: &str) -> Option<String> {
    (raw.len() == HANDLE_LEN && raw.chars().all(|c| c.is_ascii_hexdigit()))
        .then(|| format!("{}%", raw.to_ascii_lowercase()))
}
