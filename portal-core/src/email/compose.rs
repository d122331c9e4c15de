//! Composing a message from the workspace's templates: `email/{kind}.txt` for the plain part,
//! `email/{kind}.html` (extending `email/layout.html`) for the rich one. Operators override
//! them like any template.
use std::sync::Arc;

use minijinja::context;

use crate::bell::Bell;
use crate::config::PortalConfig;
use crate::email::Email;
use crate::error::Result;
use crate::templates::Templates;
use crate::tenancy::Tenant;

/// Where branded messages are written: the templates they are composed from, the
/// configuration that gives each workspace's address, and the outbox's bell to ring once what
/// was queued has committed. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Mailroom {
    templates: Templates,
    config: Arc<PortalConfig>,
    outbox: Bell,
}

/// The absolute address of a workspace's site, for links that leave the browser (emails).
/// Built from configuration, never from the request's `Host`, so nobody can make the portal
/// mail out links to a host of their choosing.
pub fn workspace_url(config: &PortalConfig, slug: &str) -> String {
    let public = config.public_url.trim_end_matches('/');
    if crate::tenancy::is_local(&config.base_domain) {
        return format!("{public}/w/{slug}");
    }
    let (scheme, rest) = public.split_once("://").unwrap_or(("https", public));
    let authority = rest.split('/').next().unwrap_or(rest);
    let port = authority
        .rsplit_once(':')
        .filter(|(_, p)| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        .map(|(_, p)| format!(":{p}"))
        .unwrap_or_default();
    format!("{scheme}://{slug}.{}{port}", config.base_domain)
}

impl Mailroom {
    pub fn new(templates: Templates, config: Arc<PortalConfig>, outbox: Bell) -> Mailroom {
        Mailroom {
            templates,
            config,
            outbox,
        }
    }

    /// The workspace's absolute address ([`workspace_url`]).
    pub fn site(&self, slug: &str) -> String {
        workspace_url(&self.config, slug)
    }

    /// A branded message from the workspace to `to`. `page` is the template's own context;
    /// the templates also get `brand` (name, accent, logo as the plan allows) and `site` (the
    /// workspace's absolute address).
    pub fn compose(
        &self,
        tenant: &Tenant,
        kind: &str,
        to: &str,
        subject: String,
        page: minijinja::Value,
    ) -> Result<Email> {
        let brand = crate::branding::shown(tenant);
        let white_label = brand
            .get_attr("white_label")
            .map(|v| v.is_true())
            .unwrap_or(false);
        let from_name = match (&tenant.workspace.sender_name, white_label) {
            (Some(name), true) if !name.trim().is_empty() => name.clone(),
            _ => tenant.workspace.name.clone(),
        };
        let ctx = context! {
            brand => brand,
            site => self.site(&tenant.workspace.slug),
            subject => subject,
            ..page
        };
        let text = self
            .templates
            .render(&format!("email/{kind}.txt"), ctx.clone())?;
        let html = self.templates.render(&format!("email/{kind}.html"), ctx)?;
        Ok(Email {
            workspace_id: Some(tenant.workspace.id),
            kind: kind.into(),
            to: to.into(),
            from_name,
            subject,
            text,
            html,
            source: None,
            attachment: None,
            outbox: Some(self.outbox.clone()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(base: &str, public: &str) -> PortalConfig {
        PortalConfig {
            base_domain: base.into(),
            public_url: public.into(),
            ..Default::default()
        }
    }

    #[test]
    fn links_use_the_configured_address() {
        let local = config("localhost", "http://localhost:3000/");
        assert_eq!(
            workspace_url(&local, "acme"),
            "http://localhost:3000/w/acme"
        );
        let hosted = config("portal.example", "https://portal.example");
        assert_eq!(
            workspace_url(&hosted, "acme"),
            "https://acme.portal.example"
        );
        let port = config("portal.test", "http://portal.test:8080");
        assert_eq!(workspace_url(&port, "acme"), "http://acme.portal.test:8080");
    }
}
