//! Templates: minijinja with HTML autoescape, operator overrides first, embedded second.
//!
//! minijinja consults templates added with `add_template` before its loader, so embedding
//! them eagerly would shadow every override. Embedded templates therefore sit in a map behind
//! the loader, which asks the operator's directory first. Names are namespaced by module
//! (`projects/list.html`); the core's live under `portal/`, `admin/` and `base.html`.
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use minijinja::Environment;

use crate::error::Result;

/// The core's own templates.
pub const CORE_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("error.html", include_str!("../templates/error.html")),
    (
        "portal/layout.html",
        include_str!("../templates/portal/layout.html"),
    ),
    (
        "portal/home.html",
        include_str!("../templates/portal/home.html"),
    ),
    (
        "two_step_setup.html",
        include_str!("../templates/two_step_setup.html"),
    ),
    ("account.html", include_str!("../templates/account.html")),
    (
        "admin/files.html",
        include_str!("../templates/admin/files.html"),
    ),
    (
        "admin/portal_home.html",
        include_str!("../templates/admin/portal_home.html"),
    ),
    (
        "admin/activity.html",
        include_str!("../templates/admin/activity.html"),
    ),
    (
        "admin/activity_rows.html",
        include_str!("../templates/admin/activity_rows.html"),
    ),
    (
        "portal/widget_notifications.html",
        include_str!("../templates/portal/widget_notifications.html"),
    ),
    (
        "portal/notifications.html",
        include_str!("../templates/portal/notifications.html"),
    ),
    (
        "portal/notification_email.html",
        include_str!("../templates/portal/notification_email.html"),
    ),
    (
        "email/notification.html",
        include_str!("../templates/email/notification.html"),
    ),
    (
        "email/notification.txt",
        include_str!("../templates/email/notification.txt"),
    ),
    (
        "portal/file_stage.html",
        include_str!("../templates/portal/file_stage.html"),
    ),
    (
        "email/message.html",
        include_str!("../templates/email/message.html"),
    ),
    (
        "email/message.txt",
        include_str!("../templates/email/message.txt"),
    ),
    (
        "email/team_notice.html",
        include_str!("../templates/email/team_notice.html"),
    ),
    (
        "email/team_notice.txt",
        include_str!("../templates/email/team_notice.txt"),
    ),
    (
        "email/digest.html",
        include_str!("../templates/email/digest.html"),
    ),
    (
        "email/digest.txt",
        include_str!("../templates/email/digest.txt"),
    ),
    (
        "signed_out.html",
        include_str!("../templates/signed_out.html"),
    ),
    ("sign_in.html", include_str!("../templates/sign_in.html")),
    ("one_time.html", include_str!("../templates/one_time.html")),
    ("two_step.html", include_str!("../templates/two_step.html")),
    (
        "email/layout.html",
        include_str!("../templates/email/layout.html"),
    ),
    (
        "email/button.html",
        include_str!("../templates/email/button.html"),
    ),
    (
        "email/invite.html",
        include_str!("../templates/email/invite.html"),
    ),
    (
        "email/invite.txt",
        include_str!("../templates/email/invite.txt"),
    ),
    (
        "email/sign_in.html",
        include_str!("../templates/email/sign_in.html"),
    ),
    (
        "email/sign_in.txt",
        include_str!("../templates/email/sign_in.txt"),
    ),
    (
        "email/reset.html",
        include_str!("../templates/email/reset.html"),
    ),
    (
        "email/reset.txt",
        include_str!("../templates/email/reset.txt"),
    ),
    (
        "admin/layout.html",
        include_str!("../templates/admin/layout.html"),
    ),
    (
        "admin/clients.html",
        include_str!("../templates/admin/clients.html"),
    ),
    (
        "admin/client.html",
        include_str!("../templates/admin/client.html"),
    ),
    (
        "admin/contact.html",
        include_str!("../templates/admin/contact.html"),
    ),
    (
        "admin/team.html",
        include_str!("../templates/admin/team.html"),
    ),
    (
        "admin/tokens.html",
        include_str!("../templates/admin/tokens.html"),
    ),
    (
        "admin/audit.html",
        include_str!("../templates/admin/audit.html"),
    ),
    (
        "admin/settings.html",
        include_str!("../templates/admin/settings.html"),
    ),
    (
        "admin/home.html",
        include_str!("../templates/admin/home.html"),
    ),
];

#[derive(Clone)]
pub struct Templates {
    env: Arc<Environment<'static>>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Templates")
    }
}

impl Templates {
    /// `embedded`: name → source from the core and every running module.
    pub fn new(embedded: HashMap<String, &'static str>, override_dir: Option<PathBuf>) -> Self {
        let mut env = Environment::new();
        let from_dir = override_dir.map(minijinja::path_loader);
        env.set_loader(move |name| {
            if let Some(load) = &from_dir {
                if let Some(source) = load(name)? {
                    return Ok(Some(source));
                }
            }
            Ok(embedded.get(name).map(|s| s.to_string()))
        });
        env.add_filter("money", money);
        env.add_filter("date", date);
        env.add_filter("timestamp", timestamp);
        env.add_filter("datetime", datetime);
        Templates { env: Arc::new(env) }
    }

    /// Whether a template of that name exists (overridden or embedded).
    pub fn has(&self, name: &str) -> bool {
        self.env.get_template(name).is_ok()
    }

    pub fn render(&self, name: &str, ctx: minijinja::Value) -> Result<String> {
        Ok(self.env.get_template(name)?.render(ctx)?)
    }
}

/// `{{ cents | money("USD") }}` → `USD 12.50`. Money formatting proper arrives with billing.
fn money(cents: i64, currency: Option<String>) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!(
        "{}{sign}{}.{:02}",
        currency.map(|c| c + " ").unwrap_or_default(),
        c / 100,
        c % 100
    )
}

/// `{{ 1795434433 | timestamp }}` → `23 Nov 2026` (UTC).
fn timestamp(value: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(value) {
        Ok(t) => date(crate::db::iso_date(t.date())),
        Err(_) => String::new(),
    }
}

/// `{{ 1795434433 | datetime }}` → `23 Nov 2026 14:07 UTC`.
fn datetime(value: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(value) {
        Ok(t) => format!("{} {:02}:{:02} UTC", timestamp(value), t.hour(), t.minute()),
        Err(_) => String::new(),
    }
}

/// `{{ "2026-11-23" | date }}` → `23 Nov 2026`; anything unparseable is shown as given.
/// Public for documents made outside templates (an invoice's PDF) to read dates the same way.
pub fn date(value: String) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    match time::Date::parse(&value, &fmt) {
        Ok(d) => format!(
            "{} {} {}",
            d.day(),
            &format!("{}", d.month())[..3],
            d.year()
        ),
        Err(_) => value,
    }
}
