//! The client's side: the Files tab (search, filter, download) and the gallery of images and
//! video. Every download is written to the activity log.
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, Response};
use portal_core::activity::{self, Action};
use portal_core::files::{self, download, Kind};
use portal_core::minijinja::context;
use portal_core::web::admin::parse_id;
use portal_core::{AppState, Error, PortalContext, Result};
use serde::Deserialize;

use crate::store::{self, Shared, Sort};

#[derive(Deserialize, Default)]
pub struct Filter {
    #[serde(default)]
    q: String,
    #[serde(default)]
    sort: String,
}

fn view(ctx: &PortalContext, s: &Shared) -> portal_core::minijinja::Value {
    let kind = Kind {
        mime: files::known(&s.content_type),
    };
    context! {
        name => s.name,
        content_type => s.content_type,
        size => files::human_size(s.size),
        folder => s.folder,
        shared_at => s.shared_at,
        image => kind.is_image(),
        video => s.content_type.starts_with("video/"),
        href => ctx.link(&format!("/files/{}", s.id)),
        // The small picture once it is made; the original, scaled by the browser, until then.
        picture => if s.thumbnail_state.as_deref() == Some("ready") {
            ctx.link(&format!("/files/{}/thumbnail", s.id))
        } else {
            ctx.link(&format!("/files/{}", s.id))
        },
        download => ctx.link(&format!("/files/{}?download=1", s.id)),
    }
}

/// `GET /portal/files?q=…&sort=images|video|documents`.
pub async fn list(
    State(state): State<AppState>,
    ctx: PortalContext,
    Query(f): Query<Filter>,
) -> Result<Html<String>> {
    let search: String = f.q.trim().chars().take(100).collect();
    let sort = match f.sort.as_str() {
        "" => None,
        raw => Some(
            Sort::parse(raw)
                .ok_or_else(|| Error::BadRequest("Show images, video or documents.".into()))?,
        ),
    };
    let shared = store::for_client(&state.db, ctx.scope(), &search, sort).await?;
    let rows: Vec<_> = shared.iter().map(|s| view(&ctx, s)).collect();
    ctx.render(
        "gallery/files.html",
        context! {
            files => rows,
            q => search,
            sort => f.sort,
            action => ctx.link("/files"),
            gallery => ctx.link("/gallery"),
        },
    )
}

/// `GET /portal/gallery`: delivered images and video as a grid.
pub async fn gallery(State(state): State<AppState>, ctx: PortalContext) -> Result<Html<String>> {
    let shared = store::for_client(&state.db, ctx.scope(), "", Some(Sort::Media)).await?;
    let items: Vec<_> = shared.iter().map(|s| view(&ctx, s)).collect();
    ctx.render(
        "gallery/gallery.html",
        context! { items => items, files => ctx.link("/files") },
    )
}

/// `GET /portal/files/{id}/thumbnail`: the small picture of a shared image, once made.
pub async fn thumbnail(
    State(state): State<AppState>,
    ctx: PortalContext,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response> {
    let shared = store::one_for_client(&state.db, ctx.scope(), parse_id(&id)?).await?;
    let file = files::get(&state.db, ctx.tenant.workspace.id, shared.file_id).await?;
    let thumb = file.thumbnail().ok_or(Error::NotFound)?;
    download::respond(&state, &thumb, &headers, false).await
}

/// `GET /portal/files/{id}`: the file, streamed (ranges for video), logged as a download.
pub async fn fetch(
    State(state): State<AppState>,
    ctx: PortalContext,
    Path(id): Path<String>,
    Query(q): Query<download::DownloadQuery>,
    headers: HeaderMap,
) -> Result<Response> {
    let shared = store::one_for_client(&state.db, ctx.scope(), parse_id(&id)?).await?;
    let file = files::get(&state.db, ctx.tenant.workspace.id, shared.file_id).await?;
    // A range after the first is the same viewing, not another download.
    let first = headers
        .get(axum::http::header::RANGE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|r| r.starts_with("bytes=0-"));
    if first {
        let subject = format!("file:{}", shared.id);
        if let Some(entry) = ctx.activity(Action::Download, &subject, &shared.name) {
            activity::record(&state.db, &entry).await?;
        }
    }
    download::respond(&state, &file, &headers, q.forced()).await
}
