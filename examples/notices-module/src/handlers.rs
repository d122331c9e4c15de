//! Handlers of all three surfaces (a small module keeps them in one file).
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Json;
use portal_core::prelude::*;
use serde::Deserialize;
use serde_json::{json, Value};

use portal_core::notifications::{self, Notice, Recipients};

use crate::{store, CAN_ACKNOWLEDGE, ID, NOTICE_POSTED, WIDGET};

pub async fn list(State(state): State<AppState>, ctx: PortalContext) -> Result<Html<String>> {
    let scope = ctx.scope();
    let mut tx = scope.begin(&state.db).await?;
    let notices = store::for_contact(&mut tx, scope).await?;
    tx.commit().await?;
    ctx.render(
        "notices/list.html",
        context! {
            notices => notices,
            // Action controls only where the tier and the permission allow them.
            can_acknowledge => ctx.can_act(ID) && ctx.can(CAN_ACKNOWLEDGE),
            base => ctx.link("/notices"),
        },
    )
}

pub async fn acknowledge(
    State(state): State<AppState>,
    ctx: PortalContext,
    Path(id): Path<String>,
) -> Result<Response> {
    let id: i64 = id.parse().map_err(|_| Error::NotFound)?;
    if !store::acknowledge(&state.db, ctx.scope(), id).await? {
        return Err(Error::NotFound);
    }
    Ok(Redirect::to(&ctx.link("/notices")).into_response())
}

/// The home page's widget, when the workspace shows it: the three newest notices the
/// contact has not acknowledged, read on the home page's shared connection.
pub async fn widget(
    ctx: &PortalContext,
    arrangement: &Arrangement,
    tx: &mut ScopedTx,
) -> Result<Vec<Widget>> {
    if !arrangement.shown(&home::widget_key(ID, WIDGET)) {
        return Ok(Vec::new());
    }
    let notices = store::for_contact(tx, ctx.scope()).await?;
    let unread: Vec<_> = notices
        .into_iter()
        .filter(|n| !n.acknowledged)
        .take(3)
        .collect();
    Ok(vec![Widget {
        key: WIDGET,
        html: ctx.render_fragment(
            "notices/widget.html",
            context! { notices => unread, all => ctx.link("/notices") },
        )?,
    }])
}

pub async fn admin_list(State(state): State<AppState>, ctx: StaffContext) -> Result<Html<String>> {
    let notices = store::for_workspace(&state.db, ctx.tenant.workspace.id).await?;
    ctx.render("notices/admin_list.html", context! { notices => notices })
}

pub async fn api_list(State(state): State<AppState>, ctx: StaffContext) -> Result<Json<Value>> {
    let notices = store::for_workspace(&state.db, ctx.tenant.workspace.id).await?;
    Ok(Json(json!({ "notices": notices })))
}

#[derive(Deserialize)]
pub struct NewNotice {
    title: String,
    body: String,
    client_id: Option<i64>,
}

pub async fn api_create(
    State(state): State<AppState>,
    ctx: StaffContext,
    body: std::result::Result<Json<NewNotice>, axum::extract::rejection::JsonRejection>,
) -> Result<Response> {
    let Json(new) = body.map_err(|e| {
        Error::BadRequest(format!(
            "expected {{\"title\", \"body\", \"client_id\"?}}: {e}"
        ))
    })?;
    let title = new.title.trim();
    if title.is_empty() || title.len() > 200 {
        return Err(Error::BadRequest(
            "`title` must be 1 to 200 characters".into(),
        ));
    }
    if new.body.len() > 10_000 {
        return Err(Error::BadRequest(
            "`body` must be at most 10,000 characters".into(),
        ));
    }
    let ws = ctx.tenant.workspace.id;
    let not_a_client = || Error::BadRequest("`client_id` is not a client of this workspace".into());
    let id = match new.client_id {
        // A notice for one client tells its contacts, in the transaction that posts it.
        Some(client) => {
            let mut tx = ScopedTx::begin_staff_write(&state.db, ws).await?;
            let id = store::create_for_client(&mut tx, ws, client, title, &new.body)
                .await?
                .ok_or_else(not_a_client)?;
            let notice = Notice {
                kind: NOTICE_POSTED,
                title: format!("New notice: {title}"),
                body: new.body.clone(),
                link: "/notices".into(),
                source: None,
                about: None,
            };
            notifications::notify(
                &state.notifier,
                &ctx.tenant,
                &mut tx,
                client,
                &Recipients::Client,
                &notice,
            )
            .await?;
            tx.commit().await?;
            state.wake_outbox();
            id
        }
        // A notice for everyone is shown to every client, announced to none: an example
        // keeps to one client's transaction.
        None => store::create(&state.db, ws, None, title, &new.body)
            .await?
            .ok_or_else(not_a_client)?,
    };
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response())
}
