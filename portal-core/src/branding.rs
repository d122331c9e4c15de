//! A workspace's branding and portal settings: what the plan lets it set, and the checks every
//! value passes before it is stored. Staff pages and the API both go through [`Settings::apply`],
//! so a value that reaches the database has been checked once, in one place.
use minijinja::context;
use serde::{Deserialize, Serialize};

use crate::db::Db;
use crate::entitlements::Entitlements;
use crate::error::{Error, Result};
use crate::tenancy::Tenant;
use crate::workspace::Workspace;

/// How much of the branding a workspace's plan includes (feature `branding`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum BrandingTier {
    /// Operator look and marks, the default colour.
    None,
    /// Logo and accent colour.
    Partial,
    /// White-label: no operator marks, plus welcome message, support email and email sender.
    Full,
}

impl BrandingTier {
    pub fn of(entitlements: &Entitlements) -> BrandingTier {
        match entitlements.tier("branding").map(|t| t.tier.as_str()) {
            None => BrandingTier::None,
            Some("full") => BrandingTier::Full,
            Some(_) => BrandingTier::Partial,
        }
    }
}

/// The portal's settings as stored. Only [`Settings::apply`] builds a changed one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Settings {
    pub portal_enabled: bool,
    pub logo_url: Option<String>,
    pub accent_color: String,
    pub welcome_message: Option<String>,
    pub support_email: Option<String>,
    pub sender_name: Option<String>,
}

/// A requested change, field by field: an absent field keeps its value, an empty one clears
/// it. This is the shape of the admin form (disabled inputs are not submitted) and of the API.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsChange {
    pub portal_enabled: Option<bool>,
    pub logo_url: Option<String>,
    pub accent_color: Option<String>,
    pub welcome_message: Option<String>,
    pub support_email: Option<String>,
    pub sender_name: Option<String>,
}

/// One field of the settings, for plan checks and the audit log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Portal,
    Logo,
    Accent,
    Welcome,
    SupportEmail,
    Sender,
}

impl Field {
    /// The plan tier a field needs.
    pub fn needs(self) -> BrandingTier {
        match self {
            Field::Portal => BrandingTier::None,
            Field::Logo | Field::Accent => BrandingTier::Partial,
            Field::Welcome | Field::SupportEmail | Field::Sender => BrandingTier::Full,
        }
    }

    /// As the audit log and messages name it.
    pub fn label(self) -> &'static str {
        match self {
            Field::Portal => "portal",
            Field::Logo => "logo",
            Field::Accent => "accent colour",
            Field::Welcome => "welcome message",
            Field::SupportEmail => "support email",
            Field::Sender => "email sender name",
        }
    }
}

pub const LOGO_URL_MAX: usize = 500;
pub const WELCOME_MAX: usize = 1000;
pub const SENDER_MAX: usize = 100;
pub const SUPPORT_EMAIL_MAX: usize = 254;

impl Settings {
    pub fn of(ws: &Workspace) -> Settings {
        Settings {
            portal_enabled: ws.portal_enabled,
            logo_url: ws.logo_url.clone(),
            accent_color: ws.accent_color.clone(),
            welcome_message: ws.welcome_message.clone(),
            support_email: ws.support_email.clone(),
            sender_name: ws.sender_name.clone(),
        }
    }

    /// These settings with `change` applied, and the fields that really changed. A bad value
    /// is a 400 naming the field. A field the plan does not include may be sent unchanged (a
    /// client echoing back what it read) but not changed: a 403. Either way nothing is written.
    pub fn apply(
        &self,
        change: &SettingsChange,
        tier: BrandingTier,
    ) -> Result<(Settings, Vec<Field>)> {
        let new = Settings {
            portal_enabled: change.portal_enabled.unwrap_or(self.portal_enabled),
            logo_url: match &change.logo_url {
                Some(v) => optional(v).map(check_logo_url).transpose()?,
                None => self.logo_url.clone(),
            },
            accent_color: match &change.accent_color {
                Some(v) => check_accent(v)?,
                None => self.accent_color.clone(),
            },
            welcome_message: match &change.welcome_message {
                Some(v) => optional(v).map(check_welcome).transpose()?,
                None => self.welcome_message.clone(),
            },
            support_email: match &change.support_email {
                Some(v) => optional(v).map(check_support_email).transpose()?,
                None => self.support_email.clone(),
            },
            sender_name: match &change.sender_name {
                Some(v) => optional(v).map(check_sender).transpose()?,
                None => self.sender_name.clone(),
            },
        };
        let changed: Vec<Field> = [
            (Field::Portal, self.portal_enabled != new.portal_enabled),
            (Field::Logo, self.logo_url != new.logo_url),
            (Field::Accent, self.accent_color != new.accent_color),
            (Field::Welcome, self.welcome_message != new.welcome_message),
            (Field::SupportEmail, self.support_email != new.support_email),
            (Field::Sender, self.sender_name != new.sender_name),
        ]
        .into_iter()
        .filter_map(|(f, differs)| differs.then_some(f))
        .collect();
        if let Some(f) = changed.iter().find(|f| f.needs() > tier) {
            return Err(Error::Forbidden(format!(
                "The {} is included in plans with {} branding: your plan does not include it, so it was not changed.",
                f.label(),
                if f.needs() == BrandingTier::Full { "full" } else { "partial or full" },
            )));
        }
        Ok((new, changed))
    }
}

/// Empty (after trimming) means "none".
fn optional(v: &str) -> Option<&str> {
    Some(v.trim()).filter(|v| !v.is_empty())
}

/// A logo address the portal and its emails may load: `https://`, or `http://` on a
/// development host. Only characters a URL may hold, so it cannot end an attribute or a CSS
/// value, whatever template it is written into.
pub fn check_logo_url(v: &str) -> Result<String> {
    let bad = |why: &str| Err(Error::BadRequest(format!("The logo address {why}.")));
    if v.chars().count() > LOGO_URL_MAX {
        return bad(&format!("must be at most {LOGO_URL_MAX} characters"));
    }
    let lower = v.to_ascii_lowercase();
    let (secure, rest) = match (
        lower.strip_prefix("https://"),
        lower.strip_prefix("http://"),
    ) {
        (Some(rest), _) => (true, rest),
        (None, Some(rest)) => (false, rest),
        _ => return bad("must start with https://"),
    };
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c);
    if !v.chars().all(allowed) || v.contains(['\'', '(', ')']) {
        return bad("contains characters an address cannot hold (spaces, quotes, brackets)");
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.split(':').next().unwrap_or(""),
    };
    if host.is_empty() {
        return bad("has no host name");
    }
    let dev_host = host == "localhost"
        || host.ends_with(".localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if !secure && !dev_host {
        return bad("must start with https:// (plain http:// only for localhost while developing)");
    }
    Ok(v.to_string())
}

/// `#rrggbb`, stored lower-case.
pub fn check_accent(v: &str) -> Result<String> {
    let v = v.trim();
    if is_hex_colour(v) {
        Ok(v.to_ascii_lowercase())
    } else {
        Err(Error::BadRequest(
            "The accent colour must be written #rrggbb, e.g. #0f766e.".into(),
        ))
    }
}

/// Plain text on several lines; stored with `\n` line ends.
pub fn check_welcome(v: &str) -> Result<String> {
    let v = v.replace("\r\n", "\n").replace('\r', "\n");
    if v.chars().count() > WELCOME_MAX {
        return Err(Error::BadRequest(format!(
            "The welcome message must be at most {WELCOME_MAX} characters."
        )));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(Error::BadRequest(
            "The welcome message contains control characters.".into(),
        ));
    }
    Ok(v)
}

pub fn check_support_email(v: &str) -> Result<String> {
    let ok = v.chars().count() <= SUPPORT_EMAIL_MAX
        && crate::auth::plausible_email(v)
        && !v
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>,;\"".contains(c));
    if ok {
        Ok(v.to_string())
    } else {
        Err(Error::BadRequest(format!(
            "`{v}` is not an email address clients could write to."
        )))
    }
}

/// One line: it becomes the display name of the `From` header.
pub fn check_sender(v: &str) -> Result<String> {
    if v.chars().count() > SENDER_MAX || v.chars().any(char::is_control) {
        return Err(Error::BadRequest(format!(
            "The sender name must be at most {SENDER_MAX} characters, on one line."
        )));
    }
    Ok(v.to_string())
}

/// The text colour readable on `accent` (`#rrggbb`): black or white, whichever contrasts
/// more (WCAG relative luminance), so buttons stay legible whatever colour a workspace picks.
pub fn on_accent(accent: &str) -> &'static str {
    let l = luminance(accent);
    // Contrast with white: 1.05 / (l + 0.05); with black: (l + 0.05) / 0.05.
    if 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 {
        "#ffffff"
    } else {
        "#000000"
    }
}

/// The accent, darkened until it reads as text on white at WCAG AA (4.5:1): links and
/// outlined buttons use it, so a pale accent does not leave them unreadable.
pub fn accent_ink(accent: &str) -> String {
    let Some([r, g, b]) = rgb(accent) else {
        return accent.to_string();
    };
    let mut scale = 1.0_f64;
    loop {
        let c = [r, g, b].map(|v| (f64::from(v) * scale).round() as u8);
        let hex = format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2]);
        if 1.05 / (luminance(&hex) + 0.05) >= 4.5 || scale <= 0.0 {
            return hex;
        }
        scale -= 0.05;
    }
}

fn rgb(hex: &str) -> Option<[u8; 3]> {
    let h = hex.strip_prefix('#').filter(|h| h.len() == 6)?;
    let part = |i: usize| u8::from_str_radix(h.get(i..i + 2)?, 16).ok();
    Some([part(0)?, part(2)?, part(4)?])
}

fn luminance(hex: &str) -> f64 {
    let Some(c) = rgb(hex) else { return 0.0 };
    let lin = |v: u8| {
        let s = f64::from(v) / 255.0;
        if s <= 0.03928 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])
}

/// Branding the layout may show, as the plan allows: logo and colour from `partial`;
/// no operator marks, the welcome message and the support email from `full` (white-label).
pub fn shown(tenant: &Tenant) -> minijinja::Value {
    let tier = BrandingTier::of(&tenant.entitlements);
    let branded = tier >= BrandingTier::Partial;
    let full = tier == BrandingTier::Full;
    let ws = &tenant.workspace;
    let accent = accent(tenant);
    context! {
        name => ws.name,
        accent => accent.trim_start_matches('#'),
        // For emails, which get no stylesheet: text on the accent, and the accent as text.
        on_accent => on_accent(accent).trim_start_matches('#'),
        accent_ink => accent_ink(accent).trim_start_matches('#'),
        // Checked again here: a value written around the settings page (SQL, an older
        // version) is not shown unless it would have passed.
        logo_url => ws.logo_url.as_deref().filter(|u| branded && check_logo_url(u).is_ok()),
        white_label => full,
        welcome => if full { ws.welcome_message.as_deref() } else { None },
        support_email => if full { ws.support_email.as_deref() } else { None },
    }
}

/// The workspace's accent colour as `#rrggbb` when its plan allows branding, Portico's own
/// otherwise. The colour is written into CSS (and PDFs), where HTML escaping protects
/// nothing: only a plain `#rrggbb` ever gets there.
pub fn accent(tenant: &Tenant) -> &str {
    Some(tenant.workspace.accent_color.as_str())
        .filter(|c| {
            BrandingTier::of(&tenant.entitlements) >= BrandingTier::Partial && is_hex_colour(c)
        })
        .unwrap_or(DEFAULT_ACCENT)
}

const DEFAULT_ACCENT: &str = "#4f46e5";

/// `#rrggbb`, the only colour form a workspace may set: it goes into CSS unescaped.
pub fn is_hex_colour(c: &str) -> bool {
    c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|ch| ch.is_ascii_hexdigit())
}

/// Stores settings checked by [`Settings::apply`]. The database trigger bumps the revision,
/// so the change shows on the next request everywhere.
pub async fn save(db: &Db, workspace_id: i64, settings: &Settings) -> Result<()> {
    // An address that changes leaves the uploaded file behind: it is public no longer.
    let sql = "UPDATE workspaces SET portal_enabled = $1, logo_url = $2, accent_color = $3, \
               welcome_message = $4, support_email = $5, sender_name = $6, \
               logo_file_id = CASE WHEN logo_url = $2 THEN logo_file_id ELSE NULL END WHERE id = $7";
    let n = db
        .query(sql)
        .bind(settings.portal_enabled)
        .bind(&settings.logo_url)
        .bind(&settings.accent_color)
        .bind(&settings.welcome_message)
        .bind(&settings.support_email)
        .bind(&settings.sender_name)
        .bind(workspace_id)
        .execute()
        .await?;
    if n == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn contrast(a: &str, b: &str) -> f64 {
        let (x, y) = (luminance(a), luminance(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }

    #[test]
    fn text_on_any_accent_meets_aa() {
        for accent in [
            "#ffff00", "#4f46e5", "#0f766e", "#777777", "#ffffff", "#000000", "#ff0000",
        ] {
            assert!(
                contrast(accent, on_accent(accent)) >= 4.5,
                "{accent} with {}",
                on_accent(accent)
            );
            assert!(contrast(&accent_ink(accent), "#ffffff") >= 4.5, "{accent}");
        }
        assert_eq!(on_accent("#ffff00"), "#000000");
        assert_eq!(on_accent("#4f46e5"), "#ffffff");
        assert_eq!(accent_ink("#4f46e5"), "#4f46e5", "a dark accent is kept");
    }

    #[test]
    fn the_plan_decides_which_fields_change() {
        let current = Settings {
            portal_enabled: true,
            logo_url: None,
            accent_color: "#4f46e5".into(),
            welcome_message: None,
            support_email: None,
            sender_name: None,
        };
        let colour = SettingsChange {
            accent_color: Some("#0F766E".into()),
            ..Default::default()
        };
        let welcome = SettingsChange {
            welcome_message: Some("Hi".into()),
            ..Default::default()
        };
        let off = SettingsChange {
            portal_enabled: Some(false),
            ..Default::default()
        };
        assert!(current.apply(&colour, BrandingTier::None).is_err());
        let (new, changed) = current.apply(&colour, BrandingTier::Partial).unwrap();
        assert_eq!(
            (new.accent_color.as_str(), changed),
            ("#0f766e", vec![Field::Accent])
        );
        assert!(current.apply(&welcome, BrandingTier::Partial).is_err());
        assert!(current.apply(&welcome, BrandingTier::Full).is_ok());
        assert!(
            current.apply(&off, BrandingTier::None).is_ok(),
            "any plan can close its portal"
        );
        let echo = SettingsChange {
            accent_color: Some("#4f46e5".into()),
            ..Default::default()
        };
        assert_eq!(current.apply(&echo, BrandingTier::None).unwrap().1, vec![]);
    }

    #[test]
    fn logo_addresses_are_checked() {
        assert!(check_logo_url("https://cdn.example/logo.png?v=2").is_ok());
        assert!(check_logo_url("http://localhost:3000/logo.svg").is_ok());
        assert!(check_logo_url("http://127.0.0.1/logo.svg").is_ok());
        for bad in [
            "javascript:alert(1)",
            "data:image/svg+xml;base64,AAAA",
            "http://cdn.example/logo.png",
            "https://cdn.example/a\"onerror=\"x",
            "https://cdn.example/a b",
            "https://cdn.example/a)}body{display:none",
            "https:///nohost",
            "//cdn.example/logo.png",
        ] {
            assert!(check_logo_url(bad).is_err(), "{bad}");
        }
        assert!(check_logo_url(&format!("https://x.example/{}", "a".repeat(500))).is_err());
    }
}
