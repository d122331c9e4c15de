//! Authentication building blocks shared by the portal and staff surfaces.
mod limits;
pub mod links;
pub(crate) mod password;
pub mod totp;

pub use limits::AttemptLimits;
pub use password::Passwords;

/// Equal-time comparison of secrets (tokens, codes), so response times say nothing about how
/// much of a guess matched.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Whether a typed sign-in name could be an email address at all: worth a lookup. Only the
/// shape, so a form can say "that is not an address" without saying whether it has an account.
pub fn plausible_email(email: &str) -> bool {
    email.len() <= 254 && email.contains('@') && !email.starts_with('@') && !email.ends_with('@')
}
