//! The contact's notifications: the feed (`/portal/notifications`), opening and marking read,
//! and their email choices (`/portal/notifications/email`).
//!
//! Opening an entry is a small form, not a link: it marks the entry read (a change, so a POST
//! with the CSRF token) and then goes where the entry leads.
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::context;
use serde::Deserialize;

use crate::app::AppState;
use crate::error::{Error, Result};
use crate::notifications::{self, Delivery};
use crate::web::admin::form::Fields;
use crate::web::admin::{parse_before, parse_id};
use crate::web::flash::Done;
use crate::web::PortalContext;

const PAGE: i64 = 30;

crate::flash! {
    /// What the notifications feed says after a change.
    pub enum NotificationsDone {
        All = "all" => "Everything is marked as read.",
        Email = "email" => "Your email choices are saved.",
    }
}

#[derive(Deserialize, Default)]
pub struct FeedQuery {
    #[serde(default)]
    before: String,
}

pub async fn feed(
    State(state): State<AppState>,
    ctx: PortalContext,
    Query(q): Query<FeedQuery>,
    done: Done<NotificationsDone>,
) -> Result<Html<String>> {
    let before = parse_before(&q.before)?;
    let mut entries = notifications::feed(
        &state.db,
        &state.notifier.rules,
        ctx.scope(),
        before,
        PAGE + 1,
    )
    .await?;
    let older = if entries.len() as i64 > PAGE {
        entries.truncate(PAGE as usize);
        entries
            .last()
            .map(|e| ctx.link(&format!("/notifications?before={}", e.id)))
    } else {
        None
    };
    let entries: Vec<_> = entries
        .into_iter()
        .map(|e| {
            context! {
                id => e.id,
                title => e.title,
                body => e.body,
                created_at => e.created_at,
                unread => e.read_at.is_none(),
                href => ctx.link(&e.link),
                open => ctx.link(&format!("/notifications/{}/open", e.id)),
                read => ctx.link(&format!("/notifications/{}/read", e.id)),
            }
        })
        .collect();
    ctx.render(
        "portal/notifications.html",
        context! {
            entries => entries,
            older => older,
            newest => before.map(|_| ctx.link("/notifications")),
            // A staff preview changes nothing, not even what is read.
            can_mark => ctx.user.preview_by.is_none(),
            read_all => ctx.link("/notifications/read-all"),
            email => ctx.link("/notifications/email"),
            message => done.message(),
        },
    )
}

/// `POST /notifications/{id}/open`: marks it read and goes where it leads.
pub async fn open(
    State(state): State<AppState>,
    ctx: PortalContext,
    Path(id): Path<String>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let link = notifications::mark_read(&state.db, &state.notifier.unread, ctx.scope(), id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Redirect::to(&ctx.link(&link)).into_response())
}

/// `POST /notifications/{id}/read`.
pub async fn read(
    State(state): State<AppState>,
    ctx: PortalContext,
    Path(id): Path<String>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    notifications::mark_read(&state.db, &state.notifier.unread, ctx.scope(), id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Redirect::to(&ctx.link("/notifications")).into_response())
}

/// `POST /notifications/read-all`.
pub async fn read_all(State(state): State<AppState>, ctx: PortalContext) -> Result<Response> {
    notifications::mark_all_read(&state.db, &state.notifier.unread, ctx.scope()).await?;
    Ok(ctx
        .redirect_done("/notifications", NotificationsDone::All)
        .into_response())
}

/// `GET /notifications/email`: how email reaches the contact, kind by kind.
pub async fn email_form(State(state): State<AppState>, ctx: PortalContext) -> Result<Html<String>> {
    let choices =
        notifications::preferences(&state.db, &state.notifier, &ctx.tenant, &ctx.user).await?;
    let options: Vec<_> = Delivery::ALL
        .iter()
        .map(|d| context! { value => d.as_str(), label => d.label() })
        .collect();
    ctx.render(
        "portal/notification_email.html",
        context! {
            choices => choices,
            options => options,
            digest_time => format!("{:02}:00", state.config.digest_hour),
            action => ctx.link("/notifications/email"),
            back => ctx.link("/notifications"),
        },
    )
}

/// `POST /notifications/email`: one choice per kind the contact can receive, all required.
pub async fn email_save(
    State(state): State<AppState>,
    ctx: PortalContext,
    body: Bytes,
) -> Result<Response> {
    let form = Fields::parse(&body);
    let mut choices = Vec::new();
    for kind in notifications::kinds_for(&state.notifier, &ctx.tenant, &ctx.user) {
        let raw = form.get(kind.key);
        let delivery = Delivery::parse(raw).ok_or_else(|| {
            Error::BadRequest(format!(
                "Choose how to hear about “{}”: right away, in a daily summary, or not by email.",
                kind.label
            ))
        })?;
        choices.push((kind.key, delivery));
    }
    notifications::set_preferences(&state.db, ctx.scope(), &choices).await?;
    Ok(ctx
        .redirect_done("/notifications", NotificationsDone::Email)
        .into_response())
}
