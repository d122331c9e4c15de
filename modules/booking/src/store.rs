//! Meeting types, hosts' hours, bookings and the blocks that make double booking impossible.
//! A contact's reads run in their client's scope; booking, moving and cancelling run in one
//! staff write transaction each, because they claim the host's blocks, which belong to no
//! client.
use jiff::civil::Date;
use portal_core::prelude::*;
use serde::Serialize;

use crate::slots::{self, Hours, Rules, Window};

/// A contact may cancel or move a meeting until this many hours before it, unless the
/// workspace says otherwise.
pub const DEFAULT_NOTICE_HOURS: i64 = 24;

pub async fn notice_hours(db: &Db, workspace_id: i64) -> Result<i64> {
    let set: Option<i64> = db
        .query_scalar("SELECT change_notice_hours FROM booking_settings WHERE workspace_id = $1")
        .bind(workspace_id)
        .fetch_optional()
        .await?;
    Ok(set.unwrap_or(DEFAULT_NOTICE_HOURS))
}

pub async fn set_notice_hours(db: &Db, workspace_id: i64, hours: i64) -> Result<()> {
    if notice_hours(db, workspace_id).await? == hours {
        return Ok(());
    }
    let sql = "INSERT INTO booking_settings (workspace_id, change_notice_hours) VALUES ($1, $2) \
               ON CONFLICT (workspace_id) DO UPDATE SET change_notice_hours = $2";
    db.query(sql)
        .bind(workspace_id)
        .bind(hours)
        .execute()
        .await?;
    Ok(())
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct MeetingType {
    pub id: i64,
    pub workspace_id: i64,
    pub host_id: i64,
    pub host_name: String,
    pub name: String,
    pub duration_min: i64,
    pub buffer_before_min: i64,
    pub buffer_after_min: i64,
    pub min_notice_min: i64,
    pub max_days_ahead: i64,
    pub location: String,
    pub active: bool,
}

impl MeetingType {
    pub fn rules(&self) -> Rules {
        Rules {
            duration: self.duration_min,
            buffer_before: self.buffer_before_min,
            buffer_after: self.buffer_after_min,
            min_notice: self.min_notice_min,
            max_days_ahead: self.max_days_ahead,
        }
    }
}

const TYPE_SELECT: &str = "SELECT t.id, t.workspace_id, t.host_id, s.name AS host_name, t.name, t.duration_min, \
    t.buffer_before_min, t.buffer_after_min, t.min_notice_min, t.max_days_ahead, t.location, t.active \
    FROM meeting_types t JOIN core_staff s ON s.id = t.host_id";

/// The workspace's meeting types (only those contacts may book, with `active_only`).
pub async fn types(db: &Db, workspace_id: i64, active_only: bool) -> Result<Vec<MeetingType>> {
    let sql = format!(
        "{TYPE_SELECT} WHERE t.workspace_id = $1 AND (NOT $2 OR t.active) ORDER BY LOWER(t.name), t.id"
    );
    db.query_as::<MeetingType>(&sql)
        .bind(workspace_id)
        .bind(active_only)
        .fetch_all()
        .await
}

/// What contacts can book now: offered types whose host has set their hours.
pub async fn bookable(db: &Db, workspace_id: i64) -> Result<Vec<MeetingType>> {
    let sql = format!(
        "{TYPE_SELECT} JOIN booking_hosts h ON h.staff_user_id = t.host_id AND h.workspace_id = t.workspace_id \
         WHERE t.workspace_id = $1 AND t.active ORDER BY LOWER(t.name), t.id"
    );
    db.query_as::<MeetingType>(&sql)
        .bind(workspace_id)
        .fetch_all()
        .await
}

pub async fn meeting_type(db: &Db, workspace_id: i64, id: i64) -> Result<MeetingType> {
    let sql = format!("{TYPE_SELECT} WHERE t.id = $1 AND t.workspace_id = $2");
    db.query_as::<MeetingType>(&sql)
        .bind(id)
        .bind(workspace_id)
        .fetch_optional()
        .await?
        .ok_or(Error::NotFound)
}

/// A meeting type as staff enter it (checked by the form).
pub struct TypeFields {
    pub name: String,
    pub host_id: i64,
    pub rules: Rules,
    pub location: String,
    pub active: bool,
}

/// The host must be one of the workspace's team, checked in the transaction that stores it.
async fn check_host(tx: &mut ScopedTx, workspace_id: i64, host: i64) -> Result<()> {
    portal_core::clients::check_team_member(
        tx,
        workspace_id,
        Some(host),
        "Choose someone from the agency's team to host it.",
    )
    .await
}

pub async fn create_type(db: &Db, workspace_id: i64, f: &TypeFields) -> Result<i64> {
    let mut tx = ScopedTx::begin_staff_write(db, workspace_id).await?;
    check_host(&mut tx, workspace_id, f.host_id).await?;
    let r = &f.rules;
    let sql = "INSERT INTO meeting_types (workspace_id, host_id, name, duration_min, buffer_before_min, buffer_after_min, \
               min_notice_min, max_days_ahead, location, active, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id";
    let id: i64 = tx
        .query_scalar(sql)
        .bind(workspace_id)
        .bind(f.host_id)
        .bind(&f.name)
        .bind(r.duration)
        .bind(r.buffer_before)
        .bind(r.buffer_after)
        .bind(r.min_notice)
        .bind(r.max_days_ahead)
        .bind(&f.location)
        .bind(f.active)
        .bind(now())
        .fetch_one()
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes a meeting type; meetings already booked keep their time.
pub async fn update_type(db: &Db, workspace_id: i64, id: i64, f: &TypeFields) -> Result<()> {
    let mut tx = ScopedTx::begin_staff_write(db, workspace_id).await?;
    check_host(&mut tx, workspace_id, f.host_id).await?;
    let r = &f.rules;
    let sql = "UPDATE meeting_types SET host_id = $1, name = $2, duration_min = $3, buffer_before_min = $4, \
               buffer_after_min = $5, min_notice_min = $6, max_days_ahead = $7, location = $8, active = $9 \
               WHERE id = $10 AND workspace_id = $11";
    let changed = tx
        .query(sql)
        .bind(f.host_id)
        .bind(&f.name)
        .bind(r.duration)
        .bind(r.buffer_before)
        .bind(r.buffer_after)
        .bind(r.min_notice)
        .bind(r.max_days_ahead)
        .bind(&f.location)
        .bind(f.active)
        .bind(id)
        .bind(workspace_id)
        .execute()
        .await?;
    if changed == 0 {
        return Err(Error::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// A host's settings row: time zone and feed secret.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Host {
    pub staff_user_id: i64,
    pub time_zone: String,
    pub feed_token: String,
}

pub async fn host(db: &Db, workspace_id: i64, staff: i64) -> Result<Option<Host>> {
    let sql = "SELECT staff_user_id, time_zone, feed_token FROM booking_hosts \
               WHERE staff_user_id = $1 AND workspace_id = $2";
    db.query_as::<Host>(sql)
        .bind(staff)
        .bind(workspace_id)
        .fetch_optional()
        .await
}

/// The host's hours, or `None` until they set them (then nothing can be booked with them).
pub async fn hours(db: &Db, workspace_id: i64, staff: i64) -> Result<Option<Hours>> {
    let Some(h) = host(db, workspace_id, staff).await? else {
        return Ok(None);
    };
    let tz = jiff::tz::db()
        .get(&h.time_zone)
        .map_err(|e| Error::Internal(format!("stored time zone {}: {e}", h.time_zone)))?;
    let sql = "SELECT weekday, start_min, end_min FROM booking_windows \
               WHERE staff_user_id = $1 AND workspace_id = $2 ORDER BY weekday, start_min";
    let rows: Vec<(i64, i64, i64)> = db
        .query_as(sql)
        .bind(staff)
        .bind(workspace_id)
        .fetch_all()
        .await?;
    let sql = "SELECT day FROM booking_days_off WHERE staff_user_id = $1 AND workspace_id = $2 ORDER BY day";
    let days: Vec<Day> = db
        .query_scalar(sql)
        .bind(staff)
        .bind(workspace_id)
        .fetch_all()
        .await?;
    Ok(Some(Hours {
        tz,
        windows: rows
            .into_iter()
            .map(|(weekday, start, end)| Window {
                weekday: weekday as i8,
                start,
                end,
            })
            .collect(),
        days_off: days.into_iter().filter_map(civil).collect(),
    }))
}

/// A stored day as the calendar date slots are computed in. Every `Day` is one (years 0000
/// to 9999 fit jiff's range), so nothing is dropped.
pub fn civil(day: Day) -> Option<Date> {
    let year = i16::try_from(day.year()).ok()?;
    let month = i8::try_from(day.month()).ok()?;
    let day = i8::try_from(day.day()).ok()?;
    Date::new(year, month, day).ok()
}

/// Replaces the host's zone, weekly hours and days off.
pub async fn save_hours(
    db: &Db,
    workspace_id: i64,
    staff: i64,
    time_zone: &str,
    windows: &[Window],
    days_off: &[Date],
) -> Result<()> {
    let mut tx = ScopedTx::begin_staff_write(db, workspace_id).await?;
    let token = portal_core::secrets::SecretKey::random().to_hex();
    let sql = "INSERT INTO booking_hosts (staff_user_id, workspace_id, time_zone, feed_token) VALUES ($1, $2, $3, $4) \
               ON CONFLICT (staff_user_id) DO UPDATE SET time_zone = $3";
    tx.query(sql)
        .bind(staff)
        .bind(workspace_id)
        .bind(time_zone)
        .bind(&token)
        .execute()
        .await?;
    tx.query("DELETE FROM booking_windows WHERE staff_user_id = $1 AND workspace_id = $2")
        .bind(staff)
        .bind(workspace_id)
        .execute()
        .await?;
    for w in windows {
        let sql = "INSERT INTO booking_windows (workspace_id, staff_user_id, weekday, start_min, end_min) \
                   VALUES ($1, $2, $3, $4, $5)";
        tx.query(sql)
            .bind(workspace_id)
            .bind(staff)
            .bind(i64::from(w.weekday))
            .bind(w.start)
            .bind(w.end)
            .execute()
            .await?;
    }
    tx.query("DELETE FROM booking_days_off WHERE staff_user_id = $1 AND workspace_id = $2")
        .bind(staff)
        .bind(workspace_id)
        .execute()
        .await?;
    for d in days_off {
        let sql =
            "INSERT INTO booking_days_off (workspace_id, staff_user_id, day) VALUES ($1, $2, $3) \
                   ON CONFLICT DO NOTHING";
        tx.query(sql)
            .bind(workspace_id)
            .bind(staff)
            .bind(d.to_string())
            .execute()
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// What the host has booked from `from` on, as `[from, to)` ranges of claimed blocks.
pub async fn busy(db: &Db, workspace_id: i64, host: i64, from: i64) -> Result<Vec<(i64, i64)>> {
    let sql = "SELECT bb.block_start FROM booking_blocks bb JOIN bookings b ON b.id = bb.booking_id \
               WHERE bb.host_id = $1 AND b.workspace_id = $2 AND bb.block_start >= $3 ORDER BY bb.block_start";
    let blocks: Vec<i64> = db
        .query_scalar(sql)
        .bind(host)
        .bind(workspace_id)
        .bind(from - 24 * 3600)
        .fetch_all()
        .await?;
    Ok(blocks.into_iter().map(|b| (b, b + slots::BLOCK)).collect())
}

/// Where a booking stands (`bookings.status`). Serialized as its stored word, as the API
/// shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    /// Booked: its time is the host's.
    Confirmed,
    /// Called off: its time is free again; calendars are told.
    Cancelled,
}

impl BookingStatus {
    pub fn parse(raw: &str) -> Option<BookingStatus> {
        match raw {
            "confirmed" => Some(BookingStatus::Confirmed),
            "cancelled" => Some(BookingStatus::Cancelled),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            BookingStatus::Confirmed => "confirmed",
            BookingStatus::Cancelled => "cancelled",
        }
    }
}

portal_core::text_enum!(BookingStatus);

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Booking {
    pub id: i64,
    pub workspace_id: i64,
    pub client_id: i64,
    pub client_name: String,
    pub contact_id: Option<i64>,
    pub contact_name: String,
    pub contact_email: String,
    pub meeting_type_id: i64,
    pub type_name: String,
    pub location: String,
    pub host_id: i64,
    pub host_name: String,
    pub host_email: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub time_zone: String,
    pub status: BookingStatus,
    pub sequence: i64,
}

impl Booking {
    pub fn confirmed(&self) -> bool {
        self.status == BookingStatus::Confirmed
    }
}

const SELECT: &str = "SELECT b.id, b.workspace_id, b.client_id, c.name AS client_name, b.contact_id, b.contact_name, \
    b.contact_email, b.meeting_type_id, t.name AS type_name, t.location, b.host_id, s.name AS host_name, \
    s.email AS host_email, b.starts_at, b.ends_at, b.time_zone, b.status, b.sequence FROM bookings b \
    JOIN core_clients c ON c.id = b.client_id JOIN meeting_types t ON t.id = b.meeting_type_id \
    JOIN core_staff s ON s.id = b.host_id";

/// The client's meetings from a day ago on, soonest first.
pub async fn for_client(db: &Db, scope: ClientScope) -> Result<Vec<Booking>> {
    let sql = format!(
        "{SELECT} WHERE b.workspace_id = $1 AND b.client_id = $2 AND b.ends_at > $3 ORDER BY b.starts_at, b.id"
    );
    let mut tx = scope.begin(db).await?;
    let found = tx
        .query_as::<Booking>(&sql)
        .bind(scope.workspace_id())
        .bind(scope.client_id())
        .bind(now() - 24 * 3600)
        .fetch_all()
        .await?;
    tx.commit().await?;
    Ok(found)
}

/// One of the client's meetings, read in their scope.
pub async fn for_contact(db: &Db, scope: ClientScope, id: i64) -> Result<Booking> {
    let sql = format!("{SELECT} WHERE b.id = $1 AND b.workspace_id = $2 AND b.client_id = $3");
    let mut tx = scope.begin(db).await?;
    let found = tx
        .query_as::<Booking>(&sql)
        .bind(id)
        .bind(scope.workspace_id())
        .bind(scope.client_id())
        .fetch_optional()
        .await?;
    tx.commit().await?;
    found.ok_or(Error::NotFound)
}

/// One of the workspace's meetings, locked for the write `tx` is.
pub async fn staff_one(tx: &mut ScopedTx, workspace_id: i64, id: i64) -> Result<Booking> {
    let sql = format!(
        "{SELECT} WHERE b.id = $1 AND b.workspace_id = $2{}",
        // The booking's row only, not the joined ones.
        tx.lock_for_update_of("b")
    );
    tx.query_as::<Booking>(&sql)
        .bind(id)
        .bind(workspace_id)
        .fetch_optional()
        .await?
        .ok_or(Error::NotFound)
}

/// The workspace's meetings from `from` on (only `host`'s, if given), soonest first.
pub async fn upcoming(
    db: &Db,
    workspace_id: i64,
    host: Option<i64>,
    from: i64,
) -> Result<Vec<Booking>> {
    let sql = format!(
        "{SELECT} WHERE b.workspace_id = $1 AND ($2 IS NULL OR b.host_id = $2) AND b.ends_at > $3 \
         ORDER BY b.starts_at, b.id LIMIT 500"
    );
    db.query_as::<Booking>(&sql)
        .bind(workspace_id)
        .bind(host)
        .bind(from)
        .fetch_all()
        .await
}

/// Gives the host's calendar feed a new secret: the old address stops at once (it leaked, or
/// a calendar it was given to should stop seeing the meetings). Not found for a staff member
/// who has no feed yet (no hours saved).
pub async fn new_feed_address(db: &Db, workspace_id: i64, staff: i64) -> Result<()> {
    let token = portal_core::secrets::SecretKey::random().to_hex();
    let changed = db
        .query("UPDATE booking_hosts SET feed_token = $1 WHERE staff_user_id = $2 AND workspace_id = $3")
        .bind(&token)
        .bind(staff)
        .bind(workspace_id)
        .execute()
        .await?;
    if changed == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

/// Whose feed a secret opens: (workspace, staff member).
pub async fn feed_owner(db: &Db, token: &str) -> Result<Option<(i64, i64)>> {
    db.query_as("SELECT workspace_id, staff_user_id FROM booking_hosts WHERE feed_token = $1")
        .bind(token)
        .fetch_optional()
        .await
}

const TAKEN: &str = "That time was just booked by someone else. Choose another time.";

/// Claims the blocks of `[from, to)` for `booking`: refused by the database, never by a
/// check that could race, when any of them is already claimed.
async fn claim(tx: &mut ScopedTx, host: i64, booking: i64, from: i64, to: i64) -> Result<()> {
    for block in slots::blocks(from, to) {
        let done = tx
            .query(
                "INSERT INTO booking_blocks (host_id, block_start, booking_id) VALUES ($1, $2, $3)",
            )
            .bind(host)
            .bind(block)
            .bind(booking)
            .execute()
            .await;
        match done {
            Ok(_) => {}
            Err(Error::Database(sqlx::Error::Database(e))) if e.is_unique_violation() => {
                return Err(Error::Conflict(TAKEN.into()))
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// A booking about to be made.
pub struct NewBooking<'a> {
    pub workspace_id: i64,
    pub client_id: i64,
    /// `None` for one staff made (the demo's).
    pub contact_id: Option<i64>,
    pub contact_name: &'a str,
    pub contact_email: &'a str,
    pub meeting: &'a MeetingType,
    pub start: i64,
    pub time_zone: &'a str,
}

/// Books `start` (already checked to be a free slot when the contact saw it): the booking and
/// its blocks in `tx`, a staff write transaction. Someone faster gets the time: `Conflict`.
pub async fn book(tx: &mut ScopedTx, new: &NewBooking<'_>) -> Result<i64> {
    let m = new.meeting;
    let end = new.start + m.duration_min * 60;
    let ts = now();
    let sql = "INSERT INTO bookings (workspace_id, client_id, contact_id, contact_name, contact_email, meeting_type_id, host_id, \
               starts_at, ends_at, time_zone, status, sequence, created_at, updated_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'confirmed', 0, $11, $11) RETURNING id";
    let id: i64 = tx
        .query_scalar(sql)
        .bind(new.workspace_id)
        .bind(new.client_id)
        .bind(new.contact_id)
        .bind(new.contact_name)
        .bind(new.contact_email)
        .bind(m.id)
        .bind(m.host_id)
        .bind(new.start)
        .bind(end)
        .bind(new.time_zone)
        .bind(ts)
        .fetch_one()
        .await?;
    let (from, to) = m.rules().occupies(new.start);
    claim(tx, m.host_id, id, from, to).await?;
    Ok(id)
}

/// Moves a confirmed booking to `start`: its old blocks freed and the new ones claimed in
/// the same transaction, so a refused move leaves the old time booked.
pub async fn move_to(
    tx: &mut ScopedTx,
    b: &Booking,
    meeting: &MeetingType,
    start: i64,
) -> Result<()> {
    tx.query("DELETE FROM booking_blocks WHERE booking_id = $1")
        .bind(b.id)
        .execute()
        .await?;
    let (from, to) = meeting.rules().occupies(start);
    claim(tx, b.host_id, b.id, from, to).await?;
    let sql = "UPDATE bookings SET starts_at = $1, ends_at = $2, sequence = sequence + 1, updated_at = $3 \
               WHERE id = $4";
    tx.query(sql)
        .bind(start)
        .bind(start + meeting.duration_min * 60)
        .bind(now())
        .bind(b.id)
        .execute()
        .await?;
    Ok(())
}

/// Cancels a booking: its time is free again.
pub async fn cancel(tx: &mut ScopedTx, b: &Booking) -> Result<()> {
    if !b.confirmed() {
        return Err(Error::Conflict("This meeting is already cancelled.".into()));
    }
    tx.query("DELETE FROM booking_blocks WHERE booking_id = $1")
        .bind(b.id)
        .execute()
        .await?;
    let sql = "UPDATE bookings SET status = 'cancelled', sequence = sequence + 1, updated_at = $1 \
               WHERE id = $2";
    tx.query(sql).bind(now()).bind(b.id).execute().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::BookingStatus;

    #[test]
    fn statuses_round_trip_and_serialize_as_their_stored_word() {
        for s in [BookingStatus::Confirmed, BookingStatus::Cancelled] {
            assert_eq!(BookingStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::json!(s), serde_json::json!(s.as_str()));
        }
        assert_eq!(BookingStatus::parse("Confirmed"), None);
    }
}
