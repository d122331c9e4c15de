//! iCalendar (RFC 5545) for meetings: the `.ics` sent with each confirmation, move and
//! cancellation, and the host's calendar feed.
//!
//! Written by hand: what is needed is a dozen properties with escaping and line folding, and
//! the crates of the field build on chrono, a second date library beside jiff.
use jiff::Timestamp;

/// One meeting as a calendar holds it.
pub struct Event<'a> {
    /// Stable across moves and the cancellation, so calendars update the same entry.
    pub uid: &'a str,
    /// Grows with every change: calendars keep the highest.
    pub sequence: i64,
    pub start: i64,
    pub end: i64,
    pub summary: &'a str,
    pub location: &'a str,
    pub description: &'a str,
    pub organizer: (&'a str, &'a str),
    pub attendee: (&'a str, &'a str),
    pub cancelled: bool,
}

/// `REQUEST` (booked or moved) or `CANCEL`, for the message's content type and the calendar.
pub fn method(cancelled: bool) -> &'static str {
    if cancelled {
        "CANCEL"
    } else {
        "REQUEST"
    }
}

/// A calendar of one event to send by email.
pub fn invitation(e: &Event, now: i64) -> String {
    calendar(Some(method(e.cancelled)), std::slice::from_ref(e), now)
}

/// A calendar of events (`method` set for messages, none for a subscribed feed).
pub fn calendar(method: Option<&str>, events: &[Event], now: i64) -> String {
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//Portico//Booking//EN");
    line(&mut out, "CALSCALE:GREGORIAN");
    if let Some(m) = method {
        line(&mut out, &format!("METHOD:{m}"));
    }
    for e in events {
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{}", text(e.uid)));
        line(&mut out, &format!("SEQUENCE:{}", e.sequence));
        line(&mut out, &format!("DTSTAMP:{}", utc(now)));
        line(&mut out, &format!("DTSTART:{}", utc(e.start)));
        line(&mut out, &format!("DTEND:{}", utc(e.end)));
        line(&mut out, &format!("SUMMARY:{}", text(e.summary)));
        if !e.location.is_empty() {
            line(&mut out, &format!("LOCATION:{}", text(e.location)));
        }
        if !e.description.is_empty() {
            line(&mut out, &format!("DESCRIPTION:{}", text(e.description)));
        }
        line(
            &mut out,
            &format!(
                "ORGANIZER;CN={}:mailto:{}",
                param(e.organizer.0),
                e.organizer.1
            ),
        );
        line(
            &mut out,
            &format!(
                "ATTENDEE;CN={};ROLE=REQ-PARTICIPANT:mailto:{}",
                param(e.attendee.0),
                e.attendee.1
            ),
        );
        line(
            &mut out,
            if e.cancelled {
                "STATUS:CANCELLED"
            } else {
                "STATUS:CONFIRMED"
            },
        );
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}

/// `20261123T090000Z`.
fn utc(unix: i64) -> String {
    Timestamp::from_second(unix)
        .map(|t| t.strftime("%Y%m%dT%H%M%SZ").to_string())
        .unwrap_or_default()
}

/// A TEXT value: backslash, semicolon, comma escaped; line breaks as `\n`.
fn text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value (a name): quoted, without the characters a quoted value cannot hold.
fn param(raw: &str) -> String {
    let clean: String = raw
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .collect();
    format!("\"{clean}\"")
}

/// Appends a content line, folded at 75 octets (never inside a character), CRLF-ended.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(cancelled: bool) -> Event<'static> {
        Event {
            uid: "booking-7@acme.portico",
            sequence: 2,
            start: 1_795_424_400, // 2026-11-23T09:00:00Z
            end: 1_795_428_000,
            summary: "Kick-off call, with Dana; agenda",
            location: "https://meet.example/abc",
            description: "Line one\nLine two",
            organizer: ("Bo \"Bright\"", "bo@agency.example"),
            attendee: ("Dana Wells", "dana@client.example"),
            cancelled,
        }
    }

    #[test]
    fn an_invitation_holds_the_meeting_in_utc_with_its_identity() {
        let ics = invitation(&event(false), 1_795_400_000);
        let lines: Vec<&str> = ics.split("\r\n").collect();
        for expected in [
            "BEGIN:VCALENDAR",
            "METHOD:REQUEST",
            "UID:booking-7@acme.portico",
            "SEQUENCE:2",
            "DTSTART:20261123T090000Z",
            "DTEND:20261123T100000Z",
            "SUMMARY:Kick-off call\\, with Dana\\; agenda",
            "LOCATION:https://meet.example/abc",
            "DESCRIPTION:Line one\\nLine two",
            "ORGANIZER;CN=\"Bo Bright\":mailto:bo@agency.example",
            "STATUS:CONFIRMED",
            "END:VCALENDAR",
        ] {
            assert!(lines.contains(&expected), "{expected} in {ics}");
        }
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        let cancel = invitation(&event(true), 1_795_400_000);
        assert!(cancel.contains("METHOD:CANCEL\r\n") && cancel.contains("STATUS:CANCELLED\r\n"));
    }

    #[test]
    fn long_lines_fold_without_splitting_a_character() {
        let long = "Ü".repeat(60);
        let mut e = event(false);
        e.summary = &long;
        let ics = invitation(&e, 0);
        for l in ics.split("\r\n") {
            assert!(l.len() <= 75, "{} octets: {l}", l.len());
        }
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("SUMMARY:{long}")));
    }
}
