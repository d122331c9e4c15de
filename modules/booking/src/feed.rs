//! `GET /hooks/booking/calendar/{token}`: a host's meetings as an iCalendar feed their
//! calendar app subscribes to. Calendar apps send no cookies: the address's secret is the
//! proof, and it opens only its own workspace's feed (elsewhere it does not exist).
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use portal_core::prelude::*;

use crate::ics;
use crate::news::{event, uid};
use crate::store;

pub async fn calendar(
    State(state): State<AppState>,
    Extension(tenant): Extension<Arc<Tenant>>,
    Path(token): Path<String>,
) -> Result<Response> {
    let token = token.trim_end_matches(".ics");
    let Some((ws, host)) = store::feed_owner(&state.db, token).await? else {
        return Err(Error::NotFound);
    };
    if ws != tenant.workspace.id {
        return Err(Error::NotFound);
    }
    // The last month and everything ahead; cancelled ones stay (as cancelled) so calendars
    // that saw them drop them.
    let found = store::upcoming(&state.db, ws, Some(host), now() - 30 * 24 * 3600).await?;
    let ids: Vec<String> = found.iter().map(|b| uid(b, &tenant)).collect();
    let texts: Vec<String> = found
        .iter()
        .map(|b| format!("{} of {}", b.contact_name, b.client_name))
        .collect();
    let events: Vec<ics::Event> = found
        .iter()
        .zip(&ids)
        .zip(&texts)
        .map(|((b, id), text)| event(b, id, text))
        .collect();
    let body = ics::calendar(None, &events, now());
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}
