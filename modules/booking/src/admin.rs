//! The team's side: upcoming meetings (mine or everyone's) with Cancel; the meeting types
//! (name, host, length, buffers, notice, how far ahead, where); each host's own hours — time
//! zone, weekly spans, days off — and their calendar feed; the workspace's notice for changes.
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use jiff::civil::Date;
use portal_core::prelude::*;
use serde::Deserialize;

use crate::news::{self, Actor, Change};
use crate::portal::{booking_view, zone, zones};
use crate::slots::{parse_windows, show_minute, Rules, WEEKDAYS};
use crate::store::{self, TypeFields};

#[derive(Deserialize, Default)]
pub struct Options {
    #[serde(default)]
    view: String,
}

portal_core::flash! {
    /// What the team's booking pages (meetings and types, one's hours) say after a change.
    pub enum BookingDone {
        Created = "created" => "Meeting type added: contacts can book it once its host has set their hours.",
        Saved = "saved" => "Saved.",
        Hours = "hours" => "Your hours are saved.",
        Feed = "feed" => "Your feed has a new address: give it to your calendar app; the old one no longer works.",
        Cancelled = "cancelled" => "Cancelled: the contact has been told, with a calendar update.",
        Moved = "moved" => "Moved: the contact has been told, with a calendar update.",
    }
}

/// `GET /admin/booking[?view=all]`.
pub async fn index(
    State(state): State<AppState>,
    ctx: StaffContext,
    Query(o): Query<Options>,
    done: Done<BookingDone>,
) -> Result<Html<String>> {
    let ws = ctx.tenant.workspace.id;
    let everyone = o.view == "all";
    let me = store::host(&state.db, ws, ctx.user.id).await?;
    let zone_of_me = me
        .as_ref()
        .map(|h| h.time_zone.clone())
        .unwrap_or_else(|| "UTC".into());
    let link = |p: &str| ctx.link(p);
    let meetings: Vec<_> =
        store::upcoming(&state.db, ws, (!everyone).then_some(ctx.user.id), now())
            .await?
            .iter()
            .map(|b| booking_view(&link, b, &zone_of_me))
            .collect();
    let site = portal_core::email::workspace_url(&state.config, &ctx.tenant.workspace.slug);
    ctx.render(
        "booking/admin.html",
        context! {
            meetings => meetings,
            everyone => everyone,
            zone => zone_of_me,
            types => store::types(&state.db, ws, false).await?,
            team => portal_core::clients::team(&state.db, ws).await?,
            feed => me.map(|h| format!("{site}{}", ctx.tenant.link(&format!("/hooks/booking/calendar/{}", h.feed_token)))),
            notice_hours => store::notice_hours(&state.db, ws).await?,
            can_manage => ctx.can_manage(),
            base => ctx.link("/booking"),
            notice => done.message(),
        },
    )
}

/// `POST /admin/booking/feed`: a new secret address for the signed-in host's calendar feed.
pub async fn new_feed_address(
    State(state): State<AppState>,
    ctx: StaffContext,
) -> Result<Response> {
    store::new_feed_address(&state.db, ctx.tenant.workspace.id, ctx.user.id).await?;
    Ok(back(&ctx, "", BookingDone::Feed))
}

fn staff(ctx: &StaffContext) -> Actor<'_> {
    Actor::Staff {
        id: ctx.user.id,
        name: &ctx.user.name,
    }
}

fn back(ctx: &StaffContext, path: &str, done: BookingDone) -> Response {
    ctx.redirect_done(&format!("/booking{path}"), done)
        .into_response()
}

/// A whole number of minutes from a form, on the five-minute grid, within `max`.
fn minutes(form: &Fields, key: &str, what: &str, max: i64) -> Result<i64> {
    let raw = form.get(key).trim();
    let raw = if raw.is_empty() { "0" } else { raw };
    raw.parse::<i64>()
        .ok()
        .filter(|m| (0..=max).contains(m) && m % 5 == 0)
        .ok_or_else(|| {
            Error::BadRequest(format!(
                "{what} is a number of minutes from 0 to {max}, in steps of 5."
            ))
        })
}

fn type_fields(form: &Fields) -> Result<TypeFields> {
    let name = form.name("name", "meeting type's name")?;
    let duration = minutes(form, "duration", "The length", 8 * 60)?;
    if duration == 0 {
        return Err(Error::BadRequest(
            "The length is at least 5 minutes.".into(),
        ));
    }
    let days = form
        .get("max_days_ahead")
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|d| (1..=365).contains(d))
        .ok_or_else(|| {
            Error::BadRequest("How far ahead is a number of days from 1 to 365.".into())
        })?;
    let location = form.get("location").trim().to_string();
    if location.chars().count() > 500 || location.chars().any(char::is_control) {
        return Err(Error::BadRequest(
            "The place or video link is at most 500 characters, on one line.".into(),
        ));
    }
    let host_id = form.get("host").parse::<i64>().map_err(|_| {
        Error::BadRequest("Choose someone from the agency's team to host it.".into())
    })?;
    Ok(TypeFields {
        name,
        host_id,
        rules: Rules {
            duration,
            buffer_before: minutes(form, "buffer_before", "The buffer before", 240)?,
            buffer_after: minutes(form, "buffer_after", "The buffer after", 240)?,
            min_notice: minutes(form, "min_notice", "The minimum notice", 60 * 24 * 30)?,
            max_days_ahead: days,
        },
        location,
        active: !form.checked("inactive"),
    })
}

/// `POST /admin/booking/types`.
pub async fn create_type(
    State(state): State<AppState>,
    ctx: StaffContext,
    body: Bytes,
) -> Result<Response> {
    let f = type_fields(&Fields::parse(&body))?;
    store::create_type(&state.db, ctx.tenant.workspace.id, &f).await?;
    Ok(back(&ctx, "", BookingDone::Created))
}

/// `POST /admin/booking/types/{type}`.
pub async fn update_type(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response> {
    let ws = ctx.tenant.workspace.id;
    let id = parse_id(&id)?;
    store::meeting_type(&state.db, ws, id).await?;
    require_manager(&ctx)?;
    let f = type_fields(&Fields::parse(&body))?;
    store::update_type(&state.db, ws, id, &f).await?;
    Ok(back(&ctx, "", BookingDone::Saved))
}

/// `GET /admin/booking/hours`: the signed-in staff member's own hours.
pub async fn hours_page(
    State(state): State<AppState>,
    ctx: StaffContext,
    done: Done<BookingDone>,
) -> Result<Html<String>> {
    let ws = ctx.tenant.workspace.id;
    let hours = store::hours(&state.db, ws, ctx.user.id).await?;
    let zone = hours
        .as_ref()
        .and_then(|h| h.tz.iana_name().map(str::to_string))
        .unwrap_or_else(|| "UTC".into());
    let days: Vec<_> = WEEKDAYS
        .iter()
        .map(|(n, label)| {
            let spans: Vec<String> = hours
                .iter()
                .flat_map(|h| h.windows.iter())
                .filter(|w| w.weekday == *n)
                .map(|w| format!("{}-{}", show_minute(w.start), show_minute(w.end)))
                .collect();
            context! { key => format!("day{n}"), label => label, spans => spans.join(", ") }
        })
        .collect();
    let off: Vec<String> = hours
        .iter()
        .flat_map(|h| h.days_off.iter())
        .map(Date::to_string)
        .collect();
    ctx.render(
        "booking/admin_hours.html",
        context! {
            zone => zone,
            zones => zones(),
            days => days,
            days_off => off.join("\n"),
            back => ctx.link("/booking"),
            action => ctx.link("/booking/hours"),
            notice => done.message(),
        },
    )
}

/// `POST /admin/booking/hours` (`time_zone`, `day1` … `day7`, `days_off`).
pub async fn save_hours(
    State(state): State<AppState>,
    ctx: StaffContext,
    body: Bytes,
) -> Result<Response> {
    let form = Fields::parse(&body);
    let tz = zone(form.get("time_zone"))?;
    let mut windows = Vec::new();
    for (n, label) in WEEKDAYS {
        let spans = parse_windows(n, form.get(&format!("day{n}")))
            .map_err(|why| Error::BadRequest(format!("{label}: {why}")))?;
        windows.extend(spans);
    }
    let mut days_off = Vec::new();
    for raw in form
        .get("days_off")
        .split(['\n', ',', ' '])
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        // Read as the column stores it (four-digit years), then as the calendar date slots
        // are computed in: jiff alone would take `-000001-01-01`, which no `Day` can hold.
        let day = raw
            .parse::<Day>()
            .ok()
            .and_then(store::civil)
            .ok_or_else(|| Error::BadRequest(format!("`{raw}` is not a date like 2026-12-24.")))?;
        days_off.push(day);
    }
    if days_off.len() > 400 {
        return Err(Error::BadRequest("At most 400 days off.".into()));
    }
    store::save_hours(
        &state.db,
        ctx.tenant.workspace.id,
        ctx.user.id,
        &tz,
        &windows,
        &days_off,
    )
    .await?;
    Ok(back(&ctx, "/hours", BookingDone::Hours))
}

/// `POST /admin/booking/settings` (`notice_hours`).
pub async fn save_settings(
    State(state): State<AppState>,
    ctx: StaffContext,
    body: Bytes,
) -> Result<Response> {
    let form = Fields::parse(&body);
    let hours = form
        .get("notice_hours")
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|h| (0..=24 * 30).contains(h))
        .ok_or_else(|| {
            Error::BadRequest("The notice is a number of hours from 0 to 720.".into())
        })?;
    store::set_notice_hours(&state.db, ctx.tenant.workspace.id, hours).await?;
    Ok(back(&ctx, "", BookingDone::Saved))
}

/// `POST /admin/booking/{id}/move` (`when`, like `2026-11-25T10:00`, in the signed-in staff
/// member's own zone): staff move a meeting to another free time of its host, with no notice
/// asked of them; the contact is told, with an updated `.ics`.
pub async fn move_to(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response> {
    let ws = ctx.tenant.workspace.id;
    let mut tx = ScopedTx::begin_staff(&state.db, ws).await?;
    let b = store::staff_one(&mut tx, ws, parse_id(&id)?).await?;
    tx.commit().await?;
    if !b.confirmed() {
        return Err(Error::Conflict("This meeting is cancelled.".into()));
    }
    let zone = store::host(&state.db, ws, ctx.user.id)
        .await?
        .map(|h| h.time_zone)
        .unwrap_or_else(|| "UTC".into());
    let raw = Fields::parse(&body).get("when").trim().to_string();
    let start = jiff::civil::DateTime::strptime("%Y-%m-%dT%H:%M", &raw)
        .ok()
        .and_then(|dt| {
            let tz = jiff::tz::db().get(&zone).ok()?;
            tz.to_ambiguous_zoned_datetime(dt).compatible().ok()
        })
        .map(|z| z.timestamp().as_second())
        .ok_or_else(|| {
            Error::BadRequest(format!(
                "`{raw}` is not a date and time like 2026-11-25T10:00."
            ))
        })?;
    let m = store::meeting_type(&state.db, ws, b.meeting_type_id).await?;
    let (free, _) = crate::portal::free_for(&state, &m, Some(&b), false).await?;
    if !free.contains(&start) || start == b.starts_at {
        return Err(Error::Conflict(format!(
            "{} is not a free time of {} for {} ({zone}).",
            raw.replace('T', " "),
            b.host_name,
            m.name
        )));
    }
    let mut tx = ScopedTx::begin_staff_write(&state.db, ws).await?;
    let b = store::staff_one(&mut tx, ws, b.id).await?;
    if !b.confirmed() {
        return Err(Error::Conflict("This meeting is cancelled.".into()));
    }
    store::move_to(&mut tx, &b, &m, start).await?;
    let b = store::staff_one(&mut tx, ws, b.id).await?;
    news::tell(&state, &ctx.tenant, &mut tx, &b, Change::Moved, staff(&ctx)).await?;
    tx.commit().await?;
    Ok(back(&ctx, "", BookingDone::Moved))
}

/// `POST /admin/booking/{id}/cancel`: staff cancel at any time; the contact is told.
pub async fn cancel(
    State(state): State<AppState>,
    ctx: StaffContext,
    Path(id): Path<String>,
) -> Result<Response> {
    let ws = ctx.tenant.workspace.id;
    let mut tx = ScopedTx::begin_staff_write(&state.db, ws).await?;
    let b = store::staff_one(&mut tx, ws, parse_id(&id)?).await?;
    store::cancel(&mut tx, &b).await?;
    let b = store::staff_one(&mut tx, ws, b.id).await?;
    news::tell(
        &state,
        &ctx.tenant,
        &mut tx,
        &b,
        Change::Cancelled,
        staff(&ctx),
    )
    .await?;
    tx.commit().await?;
    Ok(back(&ctx, "", BookingDone::Cancelled))
}
