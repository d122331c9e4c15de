//! What staff read off a client's activity: the entries, and the figures an account manager
//! asks about — when did they last come by, how often, how long did they take to accept the
//! invitation, how long do they wait for an answer.
use serde::Serialize;

use crate::activity::Action;
use crate::db::Db;
use crate::error::Result;

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct LogEntry {
    pub id: i64,
    pub actor: String,
    /// Whether a staff member (not a contact) acted.
    pub by_staff: bool,
    pub action: String,
    pub subject: String,
    pub label: String,
    pub ip: String,
    pub user_agent: String,
    pub created_at: i64,
}

impl LogEntry {
    pub fn verb(&self) -> &'static str {
        Action::verb(&self.action)
    }
}

/// A page of a client's log, newest first: `limit` entries older than `before`.
pub async fn entries(
    db: &Db,
    workspace_id: i64,
    client_id: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<LogEntry>> {
    let sql = "SELECT id, actor, staff_user_id IS NOT NULL AS by_staff, action, subject, label, ip, user_agent, created_at \
               FROM activity WHERE workspace_id = $1 AND client_id = $2 AND id < $3 ORDER BY id DESC LIMIT $4";
    db.query_as(sql)
        .bind(workspace_id)
        .bind(client_id)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all()
        .await
}

/// One contact's way in: invited when, first signed in when.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Arrival {
    pub contact_id: i64,
    pub name: String,
    pub invited_at: Option<i64>,
    pub first_sign_in: Option<i64>,
}

impl Arrival {
    /// Seconds from the first invitation to the first sign-in, once both happened.
    pub fn took(&self) -> Option<i64> {
        match (self.invited_at, self.first_sign_in) {
            (Some(i), Some(s)) if s >= i => Some(s - i),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Month {
    /// `2026-11`
    pub month: String,
    pub sign_ins: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct ClientFigures {
    pub last_sign_in: Option<i64>,
    /// The last six months, oldest first, the current one included.
    pub sign_ins_by_month: Vec<Month>,
    pub arrivals: Vec<Arrival>,
    /// Median seconds from invitation to first sign-in, over the contacts who came.
    pub median_arrival: Option<i64>,
    /// Median seconds from a contact's comment to the team's next reply on the same record,
    /// over the last 90 days.
    pub median_reply: Option<i64>,
    /// Comments of the last 90 days the team has not answered yet.
    pub unanswered: i64,
}

const MONTHS: usize = 6;
const REPLY_WINDOW: i64 = 90 * 86_400;

pub async fn client_figures(
    db: &Db,
    workspace_id: i64,
    client_id: i64,
    now: i64,
) -> Result<ClientFigures> {
    let months = last_months(now, MONTHS);
    let since = months
        .first()
        .map(|(_, start)| *start)
        .unwrap_or(now - 186 * 86_400);
    let sign_ins: Vec<i64> = db
        .query_scalar(
            "SELECT created_at FROM activity \
             WHERE workspace_id = $1 AND client_id = $2 AND action = 'sign_in' AND created_at >= $3",
        )
        .bind(workspace_id)
        .bind(client_id)
        .bind(since)
        .fetch_all()
        .await?;
    let last_sign_in: Option<i64> = db
        .query_scalar(
            "SELECT MAX(created_at) FROM activity WHERE workspace_id = $1 AND client_id = $2 AND action = 'sign_in'",
        )
        .bind(workspace_id)
        .bind(client_id)
        .fetch_one()
        .await?;
    let sign_ins_by_month = months
        .iter()
        .enumerate()
        .map(|(i, (label, start))| {
            let end = months.get(i + 1).map(|(_, s)| *s).unwrap_or(i64::MAX);
            Month {
                month: label.clone(),
                sign_ins: sign_ins
                    .iter()
                    .filter(|t| **t >= *start && **t < end)
                    .count() as i64,
            }
        })
        .collect();

    let arrivals: Vec<Arrival> = db
        .query_as(
            "SELECT c.id AS contact_id, c.name, \
               (SELECT MIN(t.created_at) FROM contact_tokens t WHERE t.contact_id = c.id AND t.purpose = 'invite') AS invited_at, \
               (SELECT MIN(a.created_at) FROM activity a WHERE a.workspace_id = c.workspace_id AND a.client_id = c.client_id \
                  AND a.contact_id = c.id AND a.action = 'sign_in') AS first_sign_in \
             FROM contacts c WHERE c.workspace_id = $1 AND c.client_id = $2 ORDER BY c.name, c.id",
        )
        .bind(workspace_id)
        .bind(client_id)
        .fetch_all()
        .await?;
    let median_arrival = median(arrivals.iter().filter_map(Arrival::took).collect());

    let waits: Vec<(i64, Option<i64>)> = db
        .query_as(
            "SELECT a.created_at, \
               (SELECT MIN(r.created_at) FROM activity r WHERE r.workspace_id = a.workspace_id \
                  AND r.client_id = a.client_id AND r.subject = a.subject AND r.action = 'reply' \
                  AND r.created_at >= a.created_at) \
             FROM activity a WHERE a.workspace_id = $1 AND a.client_id = $2 AND a.action = 'comment' \
               AND a.created_at >= $3",
        )
        .bind(workspace_id)
        .bind(client_id)
        .bind(now - REPLY_WINDOW)
        .fetch_all()
        .await?;
    let unanswered = waits.iter().filter(|(_, r)| r.is_none()).count() as i64;
    let median_reply = median(
        waits
            .iter()
            .filter_map(|(asked, answered)| answered.map(|a| a - asked))
            .collect(),
    );
    Ok(ClientFigures {
        last_sign_in,
        sign_ins_by_month,
        arrivals,
        median_arrival,
        median_reply,
        unanswered,
    })
}

/// The first second (UTC) of each of the last `n` months up to `now`'s, oldest first, with
/// its `YYYY-MM` label.
fn last_months(now: i64, n: usize) -> Vec<(String, i64)> {
    let Ok(at) = time::OffsetDateTime::from_unix_timestamp(now) else {
        return Vec::new();
    };
    let (mut year, mut month) = (at.year(), u8::from(at.month()));
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let start = time::Month::try_from(month)
            .ok()
            .and_then(|m| time::Date::from_calendar_date(year, m, 1).ok())
            .map(|d| d.midnight().assume_utc().unix_timestamp());
        if let Some(start) = start {
            out.push((format!("{year:04}-{month:02}"), start));
        }
        if month == 1 {
            month = 12;
            year -= 1;
        } else {
            month -= 1;
        }
    }
    out.reverse();
    out
}

fn median(mut values: Vec<i64>) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2
    } else {
        values[mid]
    })
}

/// "3 min", "5 h", "2 days": a duration as staff read it at a glance.
pub fn spoken(secs: i64) -> String {
    match secs {
        s if s < 60 => "under a minute".into(),
        s if s < 3600 => format!("{} min", s / 60),
        s if s < 2 * 86_400 => format!("{} h", s / 3600),
        s => format!("{} days", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_roll_over_the_year() {
        // 2026-02-10
        let months = last_months(1_770_681_600, 3);
        let labels: Vec<_> = months.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(labels, ["2025-12", "2026-01", "2026-02"]);
        assert_eq!(months[2].1, 1_769_904_000, "2026-02-01T00:00:00Z");
    }

    #[test]
    fn medians_and_spoken_durations() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![5, 1, 3]), Some(3));
        assert_eq!(median(vec![4, 1, 3, 2]), Some(2));
        assert_eq!(spoken(30), "under a minute");
        assert_eq!(spoken(600), "10 min");
        assert_eq!(spoken(7200), "2 h");
        assert_eq!(spoken(3 * 86_400), "3 days");
    }
}
