//! `/admin/team`: the agency's staff, their roles, and deactivating someone who left. The
//! rules and what a deactivation ends live in [`crate::team`]; this page shows them and
//! records each change in the audit log.
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use minijinja::context;
use serde::Serialize;

use crate::app::AppState;
use crate::audit;
use crate::db::now;
use crate::error::{Error, Result};
use crate::team::{self, Change, Outcome, Role};
use crate::web::admin::form::Fields;
use crate::web::admin::parse_id;
use crate::web::flash::Done;
use crate::web::session::ClientAddr;
use crate::web::StaffContext;

#[derive(Serialize)]
struct MemberView {
    id: i64,
    name: String,
    email: String,
    role: &'static str,
    two_step: bool,
    active: bool,
    is_me: bool,
    /// "3 minutes ago" while a session is open.
    last_seen: Option<String>,
    /// The roles the viewer may give this person (empty: they may change nothing here).
    roles: Vec<&'static str>,
    can_deactivate: bool,
    can_reset_two_step: bool,
}

crate::flash! {
    /// What the team page says after a change.
    pub enum TeamDone {
        Role = "role" => "The role is changed: it applies from their next click.",
        Deactivated = "deactivated" => "Deactivated: they are signed out everywhere, their API tokens are revoked and they cannot sign in.",
        Reactivated = "reactivated" => "Reactivated: they can sign in with their password again (make new API tokens).",
        TwoStepReset = "two_step_reset" => "Two-step sign-in is reset: they sign in with their password and set it up again.",
        Unchanged = "unchanged" => "Nothing to change: it already was so.",
    }
}

/// `GET /admin/team`: everyone sees the team; owners and admins get the buttons.
pub async fn list(
    State(state): State<AppState>,
    ctx: StaffContext,
    done: Done<TeamDone>,
) -> Result<Html<String>> {
    let at = now();
    let me = ctx.user.role;
    let members = team::members(&state.db, ctx.tenant.workspace.id).await?;
    let allowed = |m: &team::Member, change| team::may_change(ctx.user.id, me, m, change).is_ok();
    let views: Vec<MemberView> = members
        .iter()
        .map(|m| MemberView {
            id: m.id,
            name: m.name.clone(),
            email: m.email.clone(),
            role: m.role.as_str(),
            two_step: m.two_step,
            active: m.active(),
            is_me: m.id == ctx.user.id,
            last_seen: m.last_seen_at.map(|t| crate::web::account::ago(at, t)),
            roles: Role::ALL
                .into_iter()
                .filter(|r| allowed(m, Change::SetRole(*r)))
                .map(Role::as_str)
                .collect(),
            can_deactivate: allowed(m, Change::Deactivate),
            can_reset_two_step: m.two_step && m.active() && allowed(m, Change::ResetTwoStep),
        })
        .collect();
    ctx.render(
        "admin/team.html",
        context! {
            members => views,
            notice => done.message(),
            action => ctx.link("/team"),
            can_manage => ctx.can_manage(),
        },
    )
}

/// `POST /admin/team/{staff}/role`: `role=owner|admin|member`.
pub async fn set_role(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    addr: ClientAddr,
    body: Bytes,
) -> Result<Response> {
    // Someone not on this team is a missing page, whatever the form says.
    team::member(&state.db, ctx.tenant.workspace.id, parse_id(&id)?).await?;
    let role = Role::parse(Fields::parse(&body).get("role"))
        .ok_or_else(|| Error::BadRequest("Choose a role: owner, admin or member.".into()))?;
    let what = format!("gave the {} role to", role.as_str());
    let step = Step(Change::SetRole(role), &what, TeamDone::Role);
    change(&state, &ctx, &addr, &id, step).await
}

/// `POST /admin/team/{staff}/deactivate`.
pub async fn deactivate(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    addr: ClientAddr,
) -> Result<Response> {
    let what = "deactivated (signed out, API tokens revoked)";
    let step = Step(Change::Deactivate, what, TeamDone::Deactivated);
    change(&state, &ctx, &addr, &id, step).await
}

/// `POST /admin/team/{staff}/reactivate`.
pub async fn reactivate(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    addr: ClientAddr,
) -> Result<Response> {
    let step = Step(Change::Reactivate, "reactivated", TeamDone::Reactivated);
    change(&state, &ctx, &addr, &id, step).await
}

/// `POST /admin/team/{staff}/two-step/reset`.
pub async fn reset_two_step(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    addr: ClientAddr,
) -> Result<Response> {
    let what = "reset two-step sign-in of";
    let step = Step(Change::ResetTwoStep, what, TeamDone::TwoStepReset);
    change(&state, &ctx, &addr, &id, step).await
}

/// A change, the audit log's words for it, and the notice the team page then shows.
struct Step<'a>(Change, &'a str, TeamDone);

async fn change(
    state: &AppState,
    ctx: &StaffContext,
    addr: &ClientAddr,
    id: &str,
    Step(change, what, done): Step<'_>,
) -> Result<Response> {
    let (ws, id) = (ctx.tenant.workspace.id, parse_id(id)?);
    let outcome = team::apply(&state.db, ws, ctx.user.id, id, change).await?;
    let done = match outcome {
        Outcome::Unchanged(_) => TeamDone::Unchanged,
        Outcome::Changed(before) => {
            let subject = format!("{} <{}>", before.name, before.email);
            audit::record(&state.db, &ctx.user, what, &subject, &addr.text()).await?;
            done
        }
    };
    Ok(ctx.redirect_done("/team", done).into_response())
}
