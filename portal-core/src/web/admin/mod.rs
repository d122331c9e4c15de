//! The staff admin's own screens: the overview, clients and their contacts (invitations,
//! permissions, access, sessions), the team, API tokens, and the portal's settings. Module screens live in their modules.
//!
//! Every statement binds the workspace from the tenant, so an id from another workspace is
//! simply not found. Owners and admins change things; members look.
pub(crate) mod activity;
pub(crate) mod clients;
pub(crate) mod contacts;
pub(crate) mod files;
pub(crate) mod form;
pub(crate) mod home;
pub(crate) mod overview;
pub(crate) mod settings;
pub(crate) mod team;
pub(crate) mod tokens;

use crate::error::{Error, Result};
use crate::web::StaffContext;

/// Refuses a change to a staff member who may only look.
pub fn require_manager(ctx: &StaffContext) -> Result<()> {
    if ctx.can_manage() {
        Ok(())
    } else {
        Err(Error::Forbidden(
            "Only the workspace's owners and admins can change clients and contacts.".into(),
        ))
    }
}

/// A record id from the path: anything but a positive number is a page that does not exist.
pub fn parse_id(raw: &str) -> Result<i64> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(Error::NotFound)
}

/// The `?before=` of a paged list (newest first): empty for the first page. Not a number is a
/// bad request — the link was not one of ours.
pub fn parse_before(raw: &str) -> Result<Option<i64>> {
    match raw {
        "" => Ok(None),
        raw => raw
            .parse::<i64>()
            .map(Some)
            .map_err(|_| Error::BadRequest("That page of the list does not exist.".into())),
    }
}
