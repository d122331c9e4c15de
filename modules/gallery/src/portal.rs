//! The client's side: the Files tab (search, filter, download), the gallery of images and
//! video, a preview of one file, and a selection downloaded as one zip. Every download —
//! each file of an archive included — is written to the activity log.
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{Html, Response};
use portal_core::activity::{self, Action};
use portal_core::files::{self, Kind};
use portal_core::minijinja::Value;
use portal_core::prelude::*;
use serde::Deserialize;

use crate::store::{self, Narrowing, Shared, Sort};

/// The Files tab's filter, as its form sends it (and the archive link repeats it).
#[derive(Deserialize, Default)]
pub struct Filter {
    #[serde(default)]
    q: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    project: String,
}

impl Filter {
    fn from_fields(f: &Fields) -> Filter {
        Filter {
            q: f.get("q").to_string(),
            sort: f.get("sort").to_string(),
            project: f.get("project").to_string(),
        }
    }

    fn search(&self) -> String {
        self.q.trim().chars().take(100).collect()
    }

    /// The narrowing it asks for; a bad value is a 400 with what to choose instead.
    fn narrowing<'a>(&self, search: &'a str) -> Result<Narrowing<'a>> {
        let sort = match self.sort.as_str() {
            "" => None,
            "media" => Some(Sort::Media),
            raw => Some(
                Sort::parse(raw)
                    .ok_or_else(|| Error::BadRequest("Show images, video or documents.".into()))?,
            ),
        };
        // `0` names no project and has always listed every file, like no `project` at all.
        let project = match self.project.as_str() {
            "" => None,
            raw => Some(
                raw.parse::<i64>()
                    .map_err(|_| Error::BadRequest("Choose one of your projects.".into()))?,
            )
            .filter(|id| *id != 0),
        };
        Ok(Narrowing {
            search,
            sort,
            project,
        })
    }

    /// The filter as a query string, for links that keep it.
    fn query(&self) -> String {
        let mut parts = Vec::new();
        for (key, value) in [
            ("q", &self.q),
            ("sort", &self.sort),
            ("project", &self.project),
        ] {
            if !value.is_empty() {
                parts.push(format!("{key}={}", encode(value)));
            }
        }
        parts.join("&")
    }
}

fn encode(raw: &str) -> String {
    raw.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn view(ctx: &PortalContext, s: &Shared, from: &str) -> Value {
    let shown = Kind::of(&s.content_type).shown_as();
    context! {
        id => s.id,
        name => s.name,
        content_type => s.content_type,
        size => files::human_size(s.size),
        folder => s.folder,
        project => s.project_name,
        shared_at => s.shared_at,
        shown => shown,
        image => shown == "image",
        video => shown == "video",
        preview => ctx.link(&format!("/files/{}/preview{from}", s.id)),
        src => ctx.link(&format!("/files/{}", s.id)),
        // The small picture once it is made; the original, scaled by the browser, until then.
        picture => if s.thumbnail_state.as_deref() == Some("ready") {
            ctx.link(&format!("/files/{}/thumbnail", s.id))
        } else {
            ctx.link(&format!("/files/{}", s.id))
        },
        download => ctx.link(&format!("/files/{}?download=1", s.id)),
    }
}

/// `GET /portal/files?q=…&sort=images|video|documents&project=…`.
pub async fn list(
    State(state): State<AppState>,
    ctx: PortalContext,
    Query(f): Query<Filter>,
) -> Result<Html<String>> {
    let search = f.search();
    let shared = store::for_client(&state.db, ctx.scope(), f.narrowing(&search)?).await?;
    let projects = projects_with_files(&state, &ctx).await?;
    let rows: Vec<_> = shared.iter().map(|s| view(&ctx, s, "")).collect();
    let query = f.query();
    ctx.render(
        "gallery/files.html",
        context! {
            files => rows,
            q => search,
            sort => f.sort,
            project => f.project,
            projects => projects,
            narrowed => !query.is_empty(),
            action => ctx.link("/files"),
            archive => ctx.link("/files/archive"),
            archive_all => ctx.link(&format!("/files/archive?{query}")),
            gallery => ctx.link("/gallery"),
        },
    )
}

/// The projects the contact's files are tied to, for the filter.
async fn projects_with_files(state: &AppState, ctx: &PortalContext) -> Result<Vec<Value>> {
    let all = store::for_client(&state.db, ctx.scope(), Narrowing::default()).await?;
    let mut seen: Vec<(i64, String)> = all
        .into_iter()
        .filter_map(|s| Some((s.project_id?, s.project_name?)))
        .collect();
    seen.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    seen.dedup();
    Ok(seen
        .into_iter()
        .map(|(id, name)| context! { id => id.to_string(), name => name })
        .collect())
}

/// `GET /portal/gallery`: delivered images and video as a grid.
pub async fn gallery(State(state): State<AppState>, ctx: PortalContext) -> Result<Html<String>> {
    let media = Narrowing {
        sort: Some(Sort::Media),
        ..Default::default()
    };
    let shared = store::for_client(&state.db, ctx.scope(), media).await?;
    let items: Vec<_> = shared
        .iter()
        .map(|s| view(&ctx, s, "?from=gallery"))
        .collect();
    ctx.render(
        "gallery/gallery.html",
        context! {
            items => items,
            files => ctx.link("/files"),
            archive => ctx.link("/files/archive"),
            archive_all => ctx.link("/files/archive?sort=media"),
        },
    )
}

#[derive(Deserialize, Default)]
pub struct From {
    #[serde(default)]
    from: String,
}

/// `GET /portal/files/{id}/preview[?from=gallery]`: one file, large — the picture, the PDF,
/// the video or the sound, in the page — with its details, download, and the previous and
/// next of the list it was opened from.
pub async fn preview(
    State(state): State<AppState>,
    ctx: PortalContext,
    Path(id): Path<String>,
    Query(from): Query<From>,
) -> Result<Html<String>> {
    let id = parse_id(&id)?;
    let (narrowing, back, back_label, keep) = match from.from.as_str() {
        "gallery" => (
            Narrowing {
                sort: Some(Sort::Media),
                ..Default::default()
            },
            ctx.link("/gallery"),
            "the gallery",
            "?from=gallery",
        ),
        _ => (Narrowing::default(), ctx.link("/files"), "all files", ""),
    };
    let list = store::for_client(&state.db, ctx.scope(), narrowing).await?;
    let at = list
        .iter()
        .position(|s| s.id == id)
        .ok_or(Error::NotFound)?;
    let shown = &list[at];
    ctx.record_view(&format!("file:{}", shown.id), &shown.name)
        .await;
    let neighbour = |i: Option<usize>| {
        i.and_then(|i| list.get(i))
            .map(|s| ctx.link(&format!("/files/{}/preview{keep}", s.id)))
    };
    ctx.render(
        "gallery/preview.html",
        context! {
            file => view(&ctx, shown, keep),
            position => at + 1,
            count => list.len(),
            previous => neighbour(at.checked_sub(1)),
            next => neighbour(at.checked_add(1)),
            back => back,
            back_label => back_label,
        },
    )
}

/// `GET /portal/files/archive[?file=…&file=…][&q=…&sort=…&project=…]`: the chosen files —
/// or, with none chosen, every file the filter shows — as one zip, folders kept.
pub async fn archive(
    State(state): State<AppState>,
    ctx: PortalContext,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    let fields = Fields::parse(raw.unwrap_or_default().as_bytes());
    let picked = fields
        .all("file")
        .into_iter()
        .map(|v| {
            v.parse::<i64>()
                .map_err(|_| Error::BadRequest("Choose files from the list.".into()))
        })
        .collect::<Result<Vec<i64>>>()?;
    if picked.len() > archive::MAX_FILES {
        return Err(too_many());
    }
    let shares = if picked.is_empty() {
        let filter = Filter::from_fields(&fields);
        let search = filter.search();
        store::for_client(&state.db, ctx.scope(), filter.narrowing(&search)?).await?
    } else {
        store::some_for_client(&state.db, ctx.scope(), &picked).await?
    };
    if shares.is_empty() {
        return Err(Error::BadRequest("There are no files to download.".into()));
    }
    if shares.len() > archive::MAX_FILES {
        return Err(too_many());
    }
    let ids: Vec<i64> = shares.iter().map(|s| s.file_id).collect();
    let stored = files::many_for_client(&state.db, ctx.scope(), &ids).await?;
    let mut entries = Vec::with_capacity(shares.len());
    for share in &shares {
        let file = stored
            .iter()
            .find(|f| f.id == share.file_id)
            .cloned()
            .ok_or(Error::NotFound)?;
        entries.push(archive::Entry {
            folder: share.folder.clone(),
            file,
        });
    }
    let name = format!("{} files", ctx.tenant.workspace.name);
    let response = archive::respond(&state, &name, entries)?;
    // Logged once the archive is known to be well-formed, each file as its own download.
    let subjects: Vec<String> = shares.iter().map(|s| format!("file:{}", s.id)).collect();
    let logged: Vec<_> = shares
        .iter()
        .zip(&subjects)
        .filter_map(|(s, subject)| ctx.activity(Action::Download, subject, &s.name))
        .collect();
    if !logged.is_empty() {
        let mut tx = ctx.scope().begin_write(&state.db).await?;
        for entry in &logged {
            activity::record_in(&mut tx, entry).await?;
        }
        tx.commit().await?;
    }
    Ok(response)
}

fn too_many() -> Error {
    Error::BadRequest(format!(
        "An archive holds at most {} files: choose fewer.",
        archive::MAX_FILES
    ))
}

/// `GET /portal/files/{id}/thumbnail`: the small picture of a shared image, once made.
pub async fn thumbnail(
    State(state): State<AppState>,
    ctx: PortalContext,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response> {
    let shared = store::one_for_client(&state.db, ctx.scope(), parse_id(&id)?).await?;
    let file = files::get_for_client(&state.db, ctx.scope(), shared.file_id).await?;
    let thumb = file.thumbnail().ok_or(Error::NotFound)?;
    download::respond(&state, &thumb, &headers, false).await
}

/// `GET /portal/files/{id}[?download=1]`: the file, streamed (ranges for video); saving it
/// is logged as a download.
pub async fn fetch(
    State(state): State<AppState>,
    ctx: PortalContext,
    Path(id): Path<String>,
    Query(q): Query<download::DownloadQuery>,
    headers: HeaderMap,
) -> Result<Response> {
    let shared = store::one_for_client(&state.db, ctx.scope(), parse_id(&id)?).await?;
    let file = files::get_for_client(&state.db, ctx.scope(), shared.file_id).await?;
    // Shown in the page (the preview's picture, PDF or player) is the preview's view, logged
    // there; saved to disk is a download.
    if download::counts_as_download(&file, &headers, q.forced()) {
        let subject = format!("file:{}", shared.id);
        if let Some(entry) = ctx.activity(Action::Download, &subject, &shared.name) {
            activity::record(&state.db, &entry).await?;
        }
    }
    download::respond(&state, &file, &headers, q.forced()).await
}
