//! The workspace a piece of work is for, with what its plan allows and where its pages live.
use std::sync::Arc;

use crate::entitlements::Entitlements;
use crate::workspace::Workspace;

#[derive(Debug)]
pub struct Tenant {
    pub workspace: Workspace,
    pub entitlements: Arc<Entitlements>,
    /// `""` when the host names the workspace, `/w/{slug}` on the path fallback. Every link
    /// and cookie path the portal emits starts with it.
    pub base_path: String,
}

impl Tenant {
    /// An absolute path on this workspace's site, e.g. `link("/portal/projects")`.
    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.base_path, path)
    }
}

/// A host no workspace can be a subdomain of (`localhost`, an IP address): workspaces there
/// live under `/w/{slug}`, and mail from there has no real domain to come from.
pub fn is_local(host: &str) -> bool {
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok()
}
