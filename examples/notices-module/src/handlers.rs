//! Handlers of all three surfaces (a small module keeps them in one file).
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, Redirect};
use axum::Json;
use portal_core::prelude::*;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::{store, CAN_ACKNOWLEDGE, ID, NOTICE_POSTED, WIDGET};

// ANCHOR: list
pub async fn list(ctx: PortalContext) -> Result<Html<String>> {
    let mut tx = ctx.begin().await?;
    let notices = store::for_contact(&mut tx, ctx.scope()).await?;
    tx.commit().await?;
    // Action controls only where the tier and the permission allow them.
    let can_acknowledge = ctx.can_act(ID) && ctx.can(CAN_ACKNOWLEDGE);
    let base = ctx.link("/notices");
    ctx.render(
        "notices/list.html",
        context! { notices, can_acknowledge, base },
    )
}
// ANCHOR_END: list

// ANCHOR: acknowledge
pub async fn acknowledge(ctx: PortalContext, Id(id): Id) -> Result<Redirect> {
    let mut tx = ctx.begin_write().await?;
    if !store::acknowledge(&mut tx, ctx.scope(), id).await? {
        return Err(Error::NotFound);
    }
    tx.commit().await?;
    Ok(Redirect::to(&ctx.link("/notices")))
}
// ANCHOR_END: acknowledge

// ANCHOR: widget
/// The home page's widget, when the workspace shows it: the three newest notices the
/// contact has not acknowledged, read on the home page's shared transaction.
pub async fn widget(
    ctx: &PortalContext,
    shown: &Arrangement,
    tx: &mut ScopedTx,
) -> Result<Vec<Widget>> {
    if !shown.shown(&home::widget_key(ID, WIDGET)) {
        return Ok(Vec::new());
    }
    let notices = store::for_contact(tx, ctx.scope()).await?;
    let notices: Vec<_> = notices
        .into_iter()
        .filter(|n| !n.acknowledged)
        .take(3)
        .collect();
    let all = ctx.link("/notices");
    let html = ctx.render_fragment("notices/widget.html", context! { notices, all })?;
    Ok(vec![Widget { key: WIDGET, html }])
}
// ANCHOR_END: widget

pub async fn admin_list(ctx: StaffContext) -> Result<Html<String>> {
    let notices = store::for_workspace(ctx.db(), ctx.tenant.workspace.id).await?;
    ctx.render("notices/admin_list.html", context! { notices })
}

pub async fn api_list(ctx: StaffContext) -> Result<Json<Value>> {
    let notices = store::for_workspace(ctx.db(), ctx.tenant.workspace.id).await?;
    Ok(Json(json!({ "notices": notices })))
}

#[derive(Deserialize)]
pub struct NewNotice {
    title: String,
    body: String,
    client_id: Option<i64>,
}

// ANCHOR: api_create
/// `POST /api/notices` `{"title", "body", "client_id"?}`: a notice for one client tells its
/// contacts, in the transaction that posts it; one for every client is announced to none.
pub async fn api_create(
    State(state): State<AppState>,
    ctx: StaffContext,
    JsonBody(new): JsonBody<NewNotice>,
) -> Result<(StatusCode, Json<Value>)> {
    let title = new.title.trim();
    if title.is_empty() || title.len() > 200 || new.body.len() > 10_000 {
        return Err(Error::BadRequest(
            "`title` takes 1 to 200 characters, `body` at most 10,000.".into(),
        ));
    }
    let ws = ctx.tenant.workspace.id;
    let mut tx = ctx.begin_write().await?;
    let Some(id) = store::post(&mut tx, ws, new.client_id, title, &new.body).await? else {
        return Err(Error::BadRequest(
            "`client_id` is not a client of this workspace".into(),
        ));
    };
    if let Some(client) = new.client_id {
        let title = format!("New notice: {title}");
        let notice = Notice::new(NOTICE_POSTED, title, &new.body, "/notices");
        portal_core::notifications::notify(
            &state.notifier,
            &ctx.tenant,
            &mut tx,
            client,
            &Recipients::Client,
            &notice,
        )
        .await?;
    }
    tx.commit().await?;
    state.wake_outbox();
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}
// ANCHOR_END: api_create
