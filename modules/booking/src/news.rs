//! Who hears about a meeting, inside the transaction that books, moves or cancels it: the
//! contact, by email with the `.ics` that puts it in (or takes it out of) their calendar;
//! the host, by email, unless they did it themselves.
use jiff::Timestamp;
use portal_core::email::{self, Attachment};
use portal_core::notifications::{self, TeamNotice};
use portal_core::prelude::*;

use crate::ics::{self, Event};
use crate::store::Booking;

/// Who made the change.
#[derive(Clone, Copy, Debug)]
pub enum Actor<'a> {
    Contact,
    Staff { id: i64, name: &'a str },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Booked,
    Moved,
    Cancelled,
}

/// `Monday 23 November 2026, 9:00 (Europe/Berlin)`: how a time reads in `zone`.
pub fn when(unix: i64, zone: &str) -> String {
    let tz = jiff::tz::db().get(zone).unwrap_or(jiff::tz::TimeZone::UTC);
    match Timestamp::from_second(unix) {
        Ok(t) => format!(
            "{} ({zone})",
            t.to_zoned_datetime(tz).strftime("%A %-d %B %Y, %-H:%M")
        ),
        Err(_) => String::new(),
    }
}

/// The meeting as calendars know it: one identity across its changes.
pub fn event<'a>(b: &'a Booking, uid: &'a str, description: &'a str) -> Event<'a> {
    Event {
        uid,
        sequence: b.sequence,
        start: b.starts_at,
        end: b.ends_at,
        summary: &b.type_name,
        location: &b.location,
        description,
        organizer: (&b.host_name, &b.host_email),
        attendee: (&b.contact_name, &b.contact_email),
        cancelled: !b.confirmed(),
    }
}

pub fn uid(b: &Booking, tenant: &Tenant) -> String {
    format!("booking-{}@{}.portico", b.id, tenant.workspace.slug)
}

/// Tells the contact (always) and the host (unless they made it) about `change`; `b` as it
/// is after the change.
pub async fn tell(
    state: &AppState,
    tenant: &Tenant,
    tx: &mut ScopedTx,
    b: &Booking,
    change: Change,
    by: Actor<'_>,
) -> Result<()> {
    let at = when(b.starts_at, &b.time_zone);
    let title = match change {
        Change::Booked => format!("Your meeting is booked: {}, {at}", b.type_name),
        Change::Moved => format!("Your meeting has moved: {}, now {at}", b.type_name),
        Change::Cancelled => format!("Your meeting is cancelled: {}, {at}", b.type_name),
    };
    let mut body = format!("{} with {}\nWhen: {at}", b.type_name, b.host_name);
    if !b.location.is_empty() {
        body.push_str(&format!("\nWhere: {}", b.location));
    }
    let site = email::workspace_url(&state.config, &tenant.workspace.slug);
    let link = format!("{site}/portal/booking/{}", b.id);
    let mut mail = state.mailroom.compose(
        tenant,
        "message",
        &b.contact_email,
        title.clone(),
        context! {
            name => b.contact_name,
            title => title,
            body => body,
            link => link,
            link_label => "See it in your portal",
        },
    )?;
    let id = uid(b, tenant);
    let description = format!("{}\n{link}", body);
    let event = event(b, &id, &description);
    mail.attachment = Some(Attachment {
        name: "meeting.ics".into(),
        content_type: format!(
            "text/calendar; method={}; charset=utf-8",
            ics::method(event.cancelled)
        ),
        body: ics::invitation(&event, portal_core::db::now()),
    });
    mail.queue(tx).await?;
    let someone_else = match by {
        Actor::Contact => None,
        Actor::Staff { id, name } => (id != b.host_id).then_some(name),
    };
    if matches!(by, Actor::Contact) || someone_else.is_some() {
        let host_zone = crate::store::host(&state.db, b.workspace_id, b.host_id)
            .await?
            .map(|h| h.time_zone)
            .unwrap_or_else(|| b.time_zone.clone());
        let verb = match change {
            Change::Booked => "booked",
            Change::Moved => "moved",
            Change::Cancelled => "cancelled",
        };
        let at = when(b.starts_at, &host_zone);
        let title = match someone_else {
            None => format!(
                "{} of {} {verb} {}: {at}",
                b.contact_name, b.client_name, b.type_name
            ),
            Some(staff) => format!(
                "{staff} {verb} {} with {} of {}: {at}",
                b.type_name, b.contact_name, b.client_name
            ),
        };
        let notice = TeamNotice {
            title,
            body: String::new(),
            link: "/booking".into(),
        };
        notifications::tell_team(&state.notifier, tenant, tx, &[b.host_id], &notice).await?;
    }
    Ok(())
}
