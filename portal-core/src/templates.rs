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

mod files {
    include!(concat!(env!("OUT_DIR"), "/portico_templates.rs"));
}

/// The core's own templates: every file under `portal-core/templates/`, by its path there.
pub const CORE_TEMPLATES: &[(&str, &str)] = files::TEMPLATES;

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
