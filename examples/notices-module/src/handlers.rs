//! Handlers of both surfaces (a small module keeps them in one file).
use axum::response::{Html, Redirect};
use portal_core::prelude::*;

use crate::store::{self, NewNotice};
use crate::{CAN_ACKNOWLEDGE, ID, NOTICE_POSTED};

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
/// The home page's widget: the three newest notices the contact has not acknowledged, read
/// on the home page's shared transaction.
pub async fn widget(ctx: &PortalContext, tx: &mut ScopedTx) -> Result<String> {
    let notices = store::for_contact(tx, ctx.scope()).await?;
    let notices: Vec<_> = notices
        .into_iter()
        .filter(|n| n.acknowledgements == 0)
        .take(3)
        .collect();
    let all = ctx.link("/notices");
    ctx.render_fragment("notices/widget.html", context! { notices, all })
}
// ANCHOR_END: widget

portal_core::flash! {
    pub enum Posted { Yes = "posted" => "The notice is posted." }
}

/// `GET /admin/notices`: the workspace's notices, and the form that posts one (shown again
/// with its errors by the core when a post fails its checks).
pub async fn admin_list(ctx: StaffContext, done: Done<Posted>) -> Result<Html<String>> {
    let ws = ctx.tenant.workspace.id;
    let notices = store::for_workspace(ctx.db(), ws).await?;
    let clients = portal_core::clients::list_clients(ctx.db(), ws).await?;
    let (done, action) = (done.message(), ctx.link("/notices"));
    ctx.render(
        "notices/admin_list.html",
        context! { notices, clients, done, action },
    )
}

// ANCHOR: post
/// `POST /admin/notices`: a notice for one client tells its contacts, in the transaction
/// that posts it; one for every client is announced to none.
pub async fn post(ctx: StaffContext, Form(new): Form<NewNotice>) -> Result<Redirect> {
    let mut tx = ctx.begin_write().await?;
    store::post(&mut tx, ctx.tenant.workspace.id, &new).await?;
    if let Some(client) = new.client_id {
        let title = format!("New notice: {}", new.title.trim());
        let notice = Notice::new(NOTICE_POSTED, title, &new.body, "/notices");
        ctx.notify(&mut tx, client, &Recipients::Client, &notice)
            .await?;
    }
    tx.commit().await?;
    Ok(ctx.redirect_done("/notices", Posted::Yes))
}
// ANCHOR_END: post
