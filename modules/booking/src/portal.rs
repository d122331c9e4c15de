//! The contact's side: what they can book, free times in their own time zone, their
//! client's meetings — each with Cancel and Move while the workspace's notice allows, for the
//! contact who booked it and colleagues with `can_change_colleagues_meetings`.
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use jiff::Timestamp;
use portal_core::minijinja::Value;
use portal_core::prelude::*;
use serde::Deserialize;

use crate::news::{self, when, Actor, Change};
use crate::slots;
use crate::store::{self, Booking, MeetingType, NewBooking};

/// A zone from the tz database, or a clear 400.
pub(crate) fn zone(raw: &str) -> Result<String> {
    let name = raw.trim();
    jiff::tz::db()
        .get(name)
        .map(|_| name.to_string())
        .map_err(|_| Error::BadRequest(format!("`{name}` is not a time zone we know.")))
}

/// Every zone name, for the pickers.
pub(crate) fn zones() -> Vec<String> {
    let mut all: Vec<String> = jiff::tz::db()
        .available()
        .map(|n| n.to_string())
        .filter(|n| n.contains('/') || n == "UTC")
        .collect();
    all.sort();
    all
}

pub(crate) fn booking_view(ctx_link: &dyn Fn(&str) -> String, b: &Booking, zone: &str) -> Value {
    context! {
        id => b.id,
        type_name => b.type_name,
        host => b.host_name,
        client => b.client_name,
        contact => b.contact_name,
        location => b.location,
        when => when(b.starts_at, zone),
        starts_at => b.starts_at,
        confirmed => b.confirmed(),
        href => ctx_link(&format!("/booking/{}", b.id)),
    }
}

/// `GET /portal/booking`.
pub async fn index(State(state): State<AppState>, ctx: PortalContext) -> Result<Html<String>> {
    let ws = ctx.tenant.workspace.id;
    let bookable: Vec<_> = store::bookable(&state.db, ws)
        .await?
        .iter()
        .map(|t| {
            context! {
                name => t.name,
                host => t.host_name,
                duration => t.duration_min,
                location => t.location,
                href => ctx.link(&format!("/booking/slots?type={}", t.id)),
            }
        })
        .collect();
    let link = |p: &str| ctx.link(p);
    let meetings: Vec<_> = store::for_client(&state.db, ctx.scope())
        .await?
        .iter()
        .map(|b| booking_view(&link, b, &b.time_zone))
        .collect();
    ctx.render(
        "booking/index.html",
        context! { types => bookable, meetings => meetings },
    )
}

/// Meeting types are the workspace's, not a client's: they travel in the query and the form,
/// never in a path (every path id in the portal is one client's object).
#[derive(Deserialize, Default)]
pub struct SlotQuery {
    #[serde(default, rename = "type")]
    meeting: String,
    #[serde(default)]
    tz: String,
    /// Moving this booking: its own time does not count as taken.
    #[serde(default, rename = "move")]
    moving: Option<i64>,
}

/// The starts free for `m` now, with the booking being moved (if any) not counting; staff
/// (`notice` false) are not held to the minimum notice.
pub(crate) async fn free_for(
    state: &AppState,
    m: &MeetingType,
    moving: Option<&Booking>,
    notice: bool,
) -> Result<(Vec<i64>, String)> {
    let ws = m.workspace_id;
    let hours = store::hours(&state.db, ws, m.host_id)
        .await?
        .ok_or(Error::NotFound)?;
    let host_zone = hours.tz.iana_name().unwrap_or("UTC").to_string();
    let mut busy = store::busy(&state.db, ws, m.host_id, now()).await?;
    if let Some(b) = moving {
        let (from, to) = m.rules().occupies(b.starts_at);
        busy.retain(|(s, e)| !(*s >= from && *e <= to));
    }
    let mut rules = m.rules();
    if !notice {
        rules.min_notice = 0;
    }
    let starts = slots::free(&rules, &hours, &busy, slots::now());
    Ok((starts, host_zone))
}

/// `GET /portal/booking/slots?type=…[&tz=…][&move={booking}]`: free times, day by day, in
/// the contact's zone (the host's until they choose theirs).
pub async fn slots_page(
    State(state): State<AppState>,
    ctx: PortalContext,
    Query(q): Query<SlotQuery>,
) -> Result<Html<String>> {
    if q.meeting.is_empty() {
        // Nothing chosen yet: the choice.
        return index(State(state), ctx).await;
    }
    let m = store::meeting_type(&state.db, ctx.tenant.workspace.id, parse_id(&q.meeting)?).await?;
    if !m.active {
        return Err(Error::NotFound);
    }
    let moving = match q.moving {
        Some(b) => {
            let b = store::for_contact(&state.db, ctx.scope(), b).await?;
            may_change(&ctx, &b)?;
            Some(b)
        }
        None => None,
    };
    let (starts, host_zone) = free_for(&state, &m, moving.as_ref(), true).await?;
    let shown_zone = if q.tz.is_empty() {
        moving
            .as_ref()
            .map(|b| b.time_zone.clone())
            .unwrap_or(host_zone)
    } else {
        zone(&q.tz)?
    };
    let tz = jiff::tz::db()
        .get(&shown_zone)
        .map_err(|e| Error::Internal(format!("{e}")))?;
    let mut days: Vec<(String, Vec<Value>)> = Vec::new();
    for s in starts {
        let Ok(t) = Timestamp::from_second(s) else {
            continue;
        };
        let local = t.to_zoned_datetime(tz.clone());
        let day = local.strftime("%A %-d %B").to_string();
        let slot = context! { start => s, time => local.strftime("%-H:%M").to_string() };
        match days.last_mut() {
            Some((d, list)) if *d == day => list.push(slot),
            _ => days.push((day, vec![slot])),
        }
    }
    let days: Vec<_> = days
        .into_iter()
        .map(|(day, slots)| context! { day => day, slots => slots })
        .collect();
    let action = match &moving {
        Some(b) => ctx.link(&format!("/booking/{}/move", b.id)),
        None => ctx.link("/booking"),
    };
    ctx.render(
        "booking/slots.html",
        context! {
            meeting => m,
            days => days,
            zone => shown_zone,
            zones => zones(),
            action => action,
            moving => moving.as_ref().map(|b| when(b.starts_at, &b.time_zone)),
            moving_id => moving.as_ref().map(|b| b.id),
            back => ctx.link("/booking"),
            here => ctx.link("/booking/slots"),
        },
    )
}

/// The `start` and `tz` a slot button sends; the start must still be a free slot.
fn chosen(form: &Fields) -> Result<(i64, String)> {
    let start = form
        .get("start")
        .parse::<i64>()
        .map_err(|_| Error::BadRequest("Choose one of the free times.".into()))?;
    Ok((start, zone(form.get("tz"))?))
}

fn not_free() -> Error {
    Error::Conflict("That time is no longer free. Choose another time.".into())
}

/// `POST /portal/booking` (`type`, `start`, `tz`).
pub async fn book(
    State(state): State<AppState>,
    ctx: PortalContext,
    body: Bytes,
) -> Result<Response> {
    let ws = ctx.tenant.workspace.id;
    let form = Fields::parse(&body);
    let m = match form.get("type").parse::<i64>() {
        Ok(id) => store::meeting_type(&state.db, ws, id).await,
        Err(_) => Err(Error::NotFound),
    }
    .map_err(|_| Error::BadRequest("Choose what to book.".into()))?;
    if !m.active {
        return Err(Error::BadRequest("Choose what to book.".into()));
    }
    let (start, tz) = chosen(&form)?;
    let (free, _) = free_for(&state, &m, None, true).await?;
    if !free.contains(&start) {
        return Err(not_free());
    }
    let mut tx = ScopedTx::begin_staff_write(&state.db, ws).await?;
    let id = store::book(
        &mut tx,
        &NewBooking {
            workspace_id: ws,
            client_id: ctx.user.client_id,
            contact_id: Some(ctx.user.contact_id),
            contact_name: &ctx.user.name,
            contact_email: &ctx.user.email,
            meeting: &m,
            start,
            time_zone: &tz,
        },
    )
    .await?;
    let b = store::staff_one(&mut tx, ws, id).await?;
    news::tell(
        &state,
        &ctx.tenant,
        &mut tx,
        &b,
        Change::Booked,
        Actor::Contact,
    )
    .await?;
    tx.commit().await?;
    Ok(ctx
        .redirect_done(&format!("/booking/{id}"), MeetingDone::Booked)
        .into_response())
}

portal_core::flash! {
    /// What a contact's meeting page says after a change.
    pub enum MeetingDone {
        Booked = "booked" => "Booked. A confirmation with a calendar invitation is on its way to you.",
        Moved = "moved" => "Moved. Your calendar invitation is updated.",
        Cancelled = "cancelled" => "Cancelled. Your calendar invitation is withdrawn.",
    }
}

/// Why `ctx` may not change `b` at all, if so: neither their own nor a colleague's they
/// have the permission for.
fn not_theirs(ctx: &PortalContext, b: &Booking) -> Option<String> {
    if b.contact_id == Some(ctx.user.contact_id) || ctx.can(crate::CAN_CHANGE_OTHERS) {
        return None;
    }
    Some(format!(
        "{} booked this meeting: they can move or cancel it, as can a colleague allowed to change others' meetings.",
        b.contact_name
    ))
}

fn may_change(ctx: &PortalContext, b: &Booking) -> Result<()> {
    not_theirs(ctx, b).map_or(Ok(()), |why| Err(Error::Forbidden(why)))
}

/// Why `ctx` may not change `b` now, if so: not theirs, cancelled, or closer than the notice.
async fn unchangeable(
    state: &AppState,
    ctx: &PortalContext,
    b: &Booking,
) -> Result<Option<String>> {
    match not_theirs(ctx, b) {
        Some(why) => Ok(Some(why)),
        None => changeable(state, b).await,
    }
}

/// Whether the meeting may still change: confirmed, and further off than the notice.
async fn changeable(state: &AppState, b: &Booking) -> Result<Option<String>> {
    if !b.confirmed() {
        return Ok(Some("This meeting is cancelled.".into()));
    }
    let hours = store::notice_hours(&state.db, b.workspace_id).await?;
    if b.starts_at - now() < hours * 3600 {
        return Ok(Some(format!(
            "This meeting starts in less than {hours} hours: to cancel or move it now, write to {}.",
            b.host_name
        )));
    }
    Ok(None)
}

/// `GET /portal/booking/{id}`.
pub async fn show(
    State(state): State<AppState>,
    ctx: PortalContext,
    Path(id): Path<String>,
    done: Done<MeetingDone>,
) -> Result<Html<String>> {
    let b = store::for_contact(&state.db, ctx.scope(), parse_id(&id)?).await?;
    let locked = unchangeable(&state, &ctx, &b).await?;
    let link = |p: &str| ctx.link(p);
    ctx.render(
        "booking/booking.html",
        context! {
            booking => booking_view(&link, &b, &b.time_zone),
            locked => locked,
            cancel => ctx.link(&format!("/booking/{}/cancel", b.id)),
            reschedule => ctx.link(&format!("/booking/slots?type={}&move={}", b.meeting_type_id, b.id)),
            back => ctx.link("/booking"),
            notice => done.message(),
        },
    )
}

/// Reads the contact's booking again in a staff write transaction, locked, and refuses a
/// change the notice no longer allows.
async fn for_change(
    state: &AppState,
    ctx: &PortalContext,
    id: &str,
) -> Result<(ScopedTx, Booking)> {
    let b = store::for_contact(&state.db, ctx.scope(), parse_id(id)?).await?;
    may_change(ctx, &b)?;
    locked(state, &b).await
}

/// The booking read again, locked, in the staff write transaction that changes it (it claims
/// the host's blocks, which no client scope holds), and still changeable.
async fn locked(state: &AppState, b: &Booking) -> Result<(ScopedTx, Booking)> {
    let mut tx = ScopedTx::begin_staff_write(&state.db, b.workspace_id).await?;
    let b = store::staff_one(&mut tx, b.workspace_id, b.id).await?;
    if let Some(why) = changeable(state, &b).await? {
        return Err(Error::Conflict(why));
    }
    Ok((tx, b))
}

/// `POST /portal/booking/{id}/cancel`.
pub async fn cancel(
    State(state): State<AppState>,
    ctx: PortalContext,
    Path(id): Path<String>,
) -> Result<Response> {
    let (mut tx, b) = for_change(&state, &ctx, &id).await?;
    store::cancel(&mut tx, &b).await?;
    let b = store::staff_one(&mut tx, b.workspace_id, b.id).await?;
    news::tell(
        &state,
        &ctx.tenant,
        &mut tx,
        &b,
        Change::Cancelled,
        Actor::Contact,
    )
    .await?;
    tx.commit().await?;
    Ok(ctx
        .redirect_done(&format!("/booking/{}", b.id), MeetingDone::Cancelled)
        .into_response())
}

/// `POST /portal/booking/{id}/move` (`start`, `tz`).
pub async fn move_to(
    State(state): State<AppState>,
    ctx: PortalContext,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response> {
    let b = store::for_contact(&state.db, ctx.scope(), parse_id(&id)?).await?;
    may_change(&ctx, &b)?;
    if let Some(why) = changeable(&state, &b).await? {
        return Err(Error::Conflict(why));
    }
    let (start, _) = chosen(&Fields::parse(&body))?;
    let m = store::meeting_type(&state.db, b.workspace_id, b.meeting_type_id).await?;
    // Free slots are read outside the lock; the blocks decide a race.
    let (free, _) = free_for(&state, &m, Some(&b), true).await?;
    if !free.contains(&start) || start == b.starts_at {
        return Err(not_free());
    }
    let (mut tx, b) = locked(&state, &b).await?;
    store::move_to(&mut tx, &b, &m, start).await?;
    let b = store::staff_one(&mut tx, b.workspace_id, b.id).await?;
    news::tell(
        &state,
        &ctx.tenant,
        &mut tx,
        &b,
        Change::Moved,
        Actor::Contact,
    )
    .await?;
    tx.commit().await?;
    Ok(ctx
        .redirect_done(&format!("/booking/{}", b.id), MeetingDone::Moved)
        .into_response())
}
