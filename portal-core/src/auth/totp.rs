//! Two-step sign-in with time-based one-time codes (RFC 6238: HMAC-SHA1, 6 digits, 30-second
//! steps) — what every authenticator app speaks. `totp-rs` computes the codes; this module
//! adds what a sign-in needs around them: a clock window of one step either way, and the
//! step a code was accepted at, so the same code cannot be used twice.
use qrcode::render::svg;
use qrcode::QrCode;
use rand::RngCore;
use totp_rs::{Algorithm, Secret, TOTP};

use crate::auth::same;

const STEP: u64 = 30;

/// A fresh 160-bit secret, base32 as authenticator apps show it.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    Secret::Raw(bytes.to_vec()).to_encoded().to_string()
}

fn totp(secret: &str, issuer: &str, account: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret.to_string()).to_bytes().ok()?;
    // The otpauth label separates issuer and account with `:`; neither may contain one.
    let clean = |s: &str| s.replace(':', " ");
    Some(TOTP::new_unchecked(
        Algorithm::SHA1,
        6,
        1,
        STEP,
        bytes,
        Some(clean(issuer)),
        clean(account),
    ))
}

/// The `otpauth://` address an authenticator app reads from the QR code.
pub fn setup_url(secret: &str, issuer: &str, account: &str) -> String {
    totp(secret, issuer, account)
        .map(|t| t.get_url())
        .unwrap_or_default()
}

/// The setup address as an inline SVG QR code (no script, no external image).
pub fn qr_svg(url: &str) -> String {
    QrCode::new(url.as_bytes())
        .map(|code| {
            code.render::<svg::Color>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build()
        })
        // Inline in HTML: the element only, without the XML prologue.
        .map(|svg| {
            svg.find("<svg")
                .map(|at| svg[at..].to_string())
                .unwrap_or_default()
        })
        .unwrap_or_default()
}

/// The time step `code` is valid at (now, or one step either side), unless it is not a
/// valid code or that step was already used (`last_step`).
pub fn verify(secret: &str, code: &str, last_step: Option<i64>, now: i64) -> Option<i64> {
    let code: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) || now < STEP as i64 {
        return None;
    }
    let totp = totp(secret, "", "")?;
    let mut accepted = None;
    for offset in [-(STEP as i64), 0, STEP as i64] {
        let at = (now + offset) as u64;
        let step = (at / STEP) as i64;
        let fresh = last_step.is_none_or(|last| step > last);
        // Compare every candidate (no early exit), in constant time.
        if same(&totp.generate(at), &code) && fresh && accepted.is_none() {
            accepted = Some(step);
        }
    }
    accepted
}

/// The code for `secret` at `now` (tests, and the demo).
pub fn code_at(secret: &str, now: i64) -> String {
    totp(secret, "", "")
        .map(|t| t.generate(now.max(0) as u64))
        .unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6238_vector() {
        // RFC 6238 appendix B, SHA1, T = 59: 94287082 (8 digits) — its last 6 are ours.
        let secret = Secret::Raw(b"12345678901234567890".to_vec())
            .to_encoded()
            .to_string();
        assert_eq!(code_at(&secret, 59), "287082");
        assert_eq!(verify(&secret, "287 082", None, 59), Some(1));
    }

    #[test]
    fn a_window_of_one_step_and_no_reuse() {
        let secret = new_secret();
        let now = 1_800_000_000;
        let code = code_at(&secret, now);
        let step = now / 30;
        assert_eq!(verify(&secret, &code, None, now), Some(step));
        assert_eq!(
            verify(&secret, &code, None, now + 30),
            Some(step),
            "one step late is fine"
        );
        assert_eq!(
            verify(&secret, &code, None, now + 90),
            None,
            "three steps late is not"
        );
        assert_eq!(
            verify(&secret, &code, Some(step), now),
            None,
            "used already"
        );
        assert_eq!(verify(&secret, "12345", None, now), None);
        assert_eq!(verify(&secret, "abcdef", None, now), None);
        assert_eq!(verify("not base32!", &code, None, now), None);
    }

    #[test]
    fn setup_is_an_otpauth_url_and_a_qr_code() {
        let secret = new_secret();
        let url = setup_url(&secret, "Acme: Agency", "dana@client.example");
        assert!(url.starts_with("otpauth://totp/"), "{url}");
        assert!(url.contains(&format!("secret={secret}")), "{url}");
        let svg = qr_svg(&url);
        assert!(svg.contains("<svg") && !svg.contains("<script"), "{svg}");
    }
}
