//! `/admin/home`: how the workspace arranges its clients' portal home — which quick-action
//! cards and widgets show, in which order, under which titles, and widget choices (which task
//! statuses "Ongoing tasks" lists). Owners and admins change it; members look.
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use minijinja::context;

use crate::app::AppState;
use crate::audit;
use crate::error::{Error, Result};
use crate::home::{self, Block, BlockKind, BlockSetting};
use crate::web::admin::form::Fields;
use crate::web::flash::Done;
use crate::web::session::ClientAddr;
use crate::web::StaffContext;

crate::flash! {
    /// What the portal home's arrangement page says after a change.
    pub enum HomeDone {
        Saved = "saved" => "Saved: your clients see the new home page now.",
    }
}

const TITLE_MAX: usize = 60;
const TEXT_MAX: usize = 160;

/// `GET /admin/home`.
pub async fn show(
    State(state): State<AppState>,
    ctx: StaffContext,
    done: Done<HomeDone>,
) -> Result<Html<String>> {
    let arrangement = state.home.arrangement(&state.db, &ctx.tenant).await?;
    let ent = &ctx.tenant.entitlements;
    let mut blocks = home::blocks(&state.registry);
    blocks.sort_by_key(|b| {
        (
            b.kind == BlockKind::Widget,
            arrangement.position(&b.key, b.default_order),
        )
    });
    let rows: Vec<_> = blocks
        .iter()
        .map(|b| {
            let picked = arrangement.choices(b);
            let choices: Vec<_> = b
                .choices
                .iter()
                .map(|(value, label)| {
                    context! { value => value, label => label, picked => picked.iter().any(|p| p == value) }
                })
                .collect();
            context! {
                key => b.key,
                kind => b.kind,
                label => b.label,
                description => b.description,
                // Not in the plan: listed, so the arrangement survives an upgrade, but marked.
                entitled => b.module == "core" || ent.has_module(b.module),
                shown => arrangement.shown(&b.key),
                title => arrangement.get(&b.key).and_then(|s| s.title.clone()).unwrap_or_default(),
                text => arrangement.get(&b.key).and_then(|s| s.text.clone()).unwrap_or_default(),
                choices => choices,
            }
        })
        .collect();
    ctx.render(
        "admin/portal_home.html",
        context! {
            blocks => rows,
            can_manage => ctx.can_manage(),
            notice => done.message(),
            action => ctx.link("/home"),
            title_max => TITLE_MAX,
            text_max => TEXT_MAX,
        },
    )
}

/// `POST /admin/home`: every block's `show.{key}`, `position.{key}`, `title.{key}`,
/// `text.{key}` (cards) and `choice.{key}` (repeated), all checked before anything is saved.
/// Owners and admins only (`requires_role` in `web::routes`).
pub async fn save(
    State(state): State<AppState>,
    ctx: StaffContext,
    addr: ClientAddr,
    body: Bytes,
) -> Result<Response> {
    let form = Fields::parse(&body);
    let settings = home::blocks(&state.registry)
        .iter()
        .map(|b| setting_from(&form, b))
        .collect::<Result<Vec<_>>>()?;
    home::save(&state.db, ctx.tenant.workspace.id, &settings).await?;
    audit::record(
        &state.db,
        &ctx.user,
        "arranged the portal home",
        "home page",
        &addr.text(),
    )
    .await?;
    Ok(ctx.redirect_done("/home", HomeDone::Saved).into_response())
}

fn setting_from(form: &Fields, b: &Block) -> Result<BlockSetting> {
    let field = |name: &str| format!("{name}.{}", b.key);
    let position = form
        .get(&field("position"))
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|p| (1..=99).contains(p))
        .ok_or_else(|| Error::BadRequest(format!("Give “{}” a position from 1 to 99.", b.label)))?;
    let title = optional_line(form.get(&field("title")), TITLE_MAX, b.label, "title")?;
    let text = match b.kind {
        BlockKind::Card => optional_line(form.get(&field("text")), TEXT_MAX, b.label, "text")?,
        BlockKind::Widget => None,
    };
    let shown = form.checked(&field("show"));
    let choices = if b.choices.is_empty() {
        None
    } else {
        let picked = form.all(&field("choice"));
        if let Some(bad) = picked
            .iter()
            .find(|p| !b.choices.iter().any(|(v, _)| v == *p))
        {
            return Err(Error::BadRequest(format!(
                "“{bad}” is not something “{}” can list.",
                b.label
            )));
        }
        if shown && picked.is_empty() {
            return Err(Error::BadRequest(format!(
                "Pick at least one choice for “{}”, or hide it.",
                b.label
            )));
        }
        // Kept in the declared order, whatever order the form sent.
        let ordered: Vec<&str> = b
            .choices
            .iter()
            .map(|(v, _)| *v)
            .filter(|v| picked.contains(v))
            .collect();
        Some(ordered.join(","))
    };
    Ok(BlockSetting {
        block: b.key.clone(),
        position,
        shown,
        title,
        text,
        choices,
    })
}

/// An optional one-line text: trimmed, empty means "the module's own".
fn optional_line(raw: &str, max: usize, block: &str, what: &str) -> Result<Option<String>> {
    let v = raw.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if v.chars().count() > max || v.chars().any(char::is_control) {
        return Err(Error::BadRequest(format!(
            "The {what} of “{block}” must be one line of at most {max} characters."
        )));
    }
    Ok(Some(v.to_string()))
}
