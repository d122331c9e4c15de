//! A client's portal activity for staff: the figures on the client's page, and the whole log
//! at `/admin/clients/{id}/activity`.
use axum::extract::{Path, Query, State};
use axum::response::Html;
use minijinja::context;
use serde::Deserialize;

use crate::activity::figures::{self, spoken, LogEntry};
use crate::app::AppState;
use crate::clients;
use crate::db::now;
use crate::error::Result;
use crate::web::admin::{parse_before, parse_id};
use crate::web::StaffContext;

const PAGE: i64 = 50;

/// The figures and the newest entries, for the client's page.
pub async fn summary(state: &AppState, ws: i64, client_id: i64) -> Result<minijinja::Value> {
    // Views still queued are part of the story.
    state.looks.flush().await;
    let db = &state.db;
    let f = figures::client_figures(db, ws, client_id, now()).await?;
    let recent = figures::entries(db, ws, client_id, None, 8).await?;
    let peak = f
        .sign_ins_by_month
        .iter()
        .map(|m| m.sign_ins)
        .max()
        .unwrap_or(0)
        .max(1);
    let months: Vec<_> = f
        .sign_ins_by_month
        .iter()
        .map(|m| context! { month => m.month, sign_ins => m.sign_ins, share => m.sign_ins * 100 / peak })
        .collect();
    let arrivals: Vec<_> = f
        .arrivals
        .iter()
        .map(|a| {
            context! {
                name => a.name,
                invited_at => a.invited_at,
                first_sign_in => a.first_sign_in,
                took => a.took().map(spoken),
            }
        })
        .collect();
    Ok(context! {
        last_sign_in => f.last_sign_in,
        months => months,
        arrivals => arrivals,
        median_arrival => f.median_arrival.map(spoken),
        median_reply => f.median_reply.map(spoken),
        unanswered => f.unanswered,
        recent => rows(recent),
    })
}

fn rows(entries: Vec<LogEntry>) -> Vec<minijinja::Value> {
    entries
        .into_iter()
        .map(|e| {
            context! {
                verb => e.verb(),
                actor => e.actor,
                by_staff => e.by_staff,
                label => e.label,
                ip => e.ip,
                device => crate::web::account::describe_device(&e.user_agent),
                created_at => e.created_at,
            }
        })
        .collect()
}

#[derive(Deserialize, Default)]
pub struct LogQuery {
    #[serde(default)]
    before: String,
}

/// `GET /admin/clients/{id}/activity`: everything, newest first, 50 at a time.
pub async fn log(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    Query(q): Query<LogQuery>,
) -> Result<Html<String>> {
    let id = parse_id(&id)?;
    let ws = ctx.tenant.workspace.id;
    let client = clients::client(&state.db, ws, id).await?;
    state.looks.flush().await;
    let before = parse_before(&q.before)?;
    let mut entries = figures::entries(&state.db, ws, id, before, PAGE + 1).await?;
    let older = if entries.len() as i64 > PAGE {
        entries.truncate(PAGE as usize);
        entries
            .last()
            .map(|e| ctx.link(&format!("/clients/{id}/activity?before={}", e.id)))
    } else {
        None
    };
    ctx.render(
        "admin/activity.html",
        context! {
            client => client,
            entries => rows(entries),
            older => older,
            newest => before.map(|_| ctx.link(&format!("/clients/{id}/activity"))),
            back => ctx.link(&format!("/clients/{id}")),
        },
    )
}
