//! The portal's page and the admin's page with its two forms.
use axum::response::{Html, Redirect};
use portal_core::prelude::*;

use crate::store::{self, NewLink};

/// `GET /portal/links`: the links for the contact's client and for everyone.
pub async fn list(ctx: PortalContext) -> Result<Html<String>> {
    let mut tx = ctx.begin().await?;
    let links = store::for_contact(&mut tx, ctx.scope()).await?;
    tx.commit().await?;
    ctx.render("links/list.html", context! { links })
}

portal_core::flash! {
    pub enum LinksDone {
        Added = "added" => "The link is shared.",
        Removed = "removed" => "The link is removed.",
    }
}

/// `GET /admin/links`: every link of the workspace, and the form that adds one.
pub async fn admin_list(ctx: StaffContext, done: Done<LinksDone>) -> Result<Html<String>> {
    let ws = ctx.tenant.workspace.id;
    let links = store::for_workspace(ctx.db(), ws).await?;
    let clients = portal_core::clients::list_clients(ctx.db(), ws).await?;
    let (done, action) = (done.message(), ctx.link("/links"));
    ctx.render(
        "links/admin_list.html",
        context! { links, clients, done, action },
    )
}

/// `POST /admin/links`.
pub async fn add(ctx: StaffContext, Form(new): Form<NewLink>) -> Result<Redirect> {
    let mut tx = ctx.begin_write().await?;
    store::add(&mut tx, ctx.tenant.workspace.id, &new).await?;
    tx.commit().await?;
    Ok(ctx.redirect_done("/links", LinksDone::Added))
}

/// `POST /admin/links/{id}/remove`: another workspace's link is not found.
pub async fn remove(ctx: StaffContext, Id(id): Id) -> Result<Redirect> {
    let mut tx = ctx.begin_write().await?;
    if !store::remove(&mut tx, ctx.tenant.workspace.id, id).await? {
        return Err(Error::NotFound);
    }
    tx.commit().await?;
    Ok(ctx.redirect_done("/links", LinksDone::Removed))
}
