//! Free slots: the host's weekly hours in their own time zone, minus their days off, minus
//! what is booked (with its buffers), no sooner than the minimum notice and no further than
//! the furthest day ahead. Pure: the tests run it across time zones and daylight-saving
//! changes without a database.
//!
//! Times are Unix seconds on a five-minute grid: hours, durations and buffers are whole
//! multiples of five minutes, so a booking claims the grid's blocks it covers (with its
//! buffers) and the database's uniqueness on (host, block) refuses a second claim — see
//! `store::book`.
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// The grid every time sits on, in seconds.
pub const BLOCK: i64 = 300;
/// How far apart offered starts are, in minutes (or the meeting's length, if shorter).
pub const STEP_MIN: i64 = 15;

/// What a meeting type asks of a slot, in minutes (days for `max_days_ahead`).
#[derive(Clone, Copy, Debug)]
pub struct Rules {
    pub duration: i64,
    pub buffer_before: i64,
    pub buffer_after: i64,
    pub min_notice: i64,
    pub max_days_ahead: i64,
}

/// One stretch of a weekday the host takes meetings: minutes from midnight, local time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// 1 = Monday … 7 = Sunday.
    pub weekday: i8,
    pub start: i64,
    pub end: i64,
}

/// When the host works: their zone, their weekly windows, their days off.
pub struct Hours {
    pub tz: TimeZone,
    pub windows: Vec<Window>,
    pub days_off: Vec<Date>,
}

impl Rules {
    /// What a booking starting at `start` occupies, buffers included: `[from, to)`.
    pub fn occupies(&self, start: i64) -> (i64, i64) {
        (
            start - self.buffer_before * 60,
            start + (self.duration + self.buffer_after) * 60,
        )
    }
}

/// The grid blocks `[from, to)` covers.
pub fn blocks(from: i64, to: i64) -> Vec<i64> {
    let first = from.div_euclid(BLOCK) * BLOCK;
    (0..)
        .map(|i| first + i * BLOCK)
        .take_while(|b| *b < to)
        .collect()
}

/// The furthest ahead a search looks, whatever a meeting type says: it bounds the work one
/// request can ask for.
pub const MAX_DAYS_AHEAD: i64 = 366;

/// Now, on the portal's clock, as booking's time type.
pub fn now() -> Timestamp {
    Timestamp::from_second(portal_core::db::now()).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// The local midnight-relative minute `minute` of `date` in `tz`, as a Unix time; `24:00` is
/// the next day's midnight. A time that does not exist that day (the hour skipped when clocks
/// go forward) is read the way clocks read it after the change; a time that happens twice,
/// the first time. `None` for anything a calendar cannot hold — never a panic on stored hours.
fn at(tz: &TimeZone, date: Date, minute: i64) -> Option<i64> {
    let day = date
        .checked_add(
            jiff::Span::new()
                .try_days(minute.div_euclid(24 * 60))
                .ok()?,
        )
        .ok()?;
    let minute = minute.rem_euclid(24 * 60);
    let time = jiff::civil::Time::new((minute / 60) as i8, (minute % 60) as i8, 0, 0).ok()?;
    let zoned = tz
        .to_ambiguous_zoned_datetime(day.to_datetime(time))
        .compatible()
        .ok()?;
    Some(zoned.timestamp().as_second())
}

/// `busy` as sorted, disjoint `[from, to)` ranges, so a clash is one binary search.
fn merged(busy: &[(i64, i64)]) -> Vec<(i64, i64)> {
    let mut sorted: Vec<(i64, i64)> = busy.iter().copied().filter(|(f, t)| f < t).collect();
    sorted.sort_unstable();
    let mut out: Vec<(i64, i64)> = Vec::with_capacity(sorted.len());
    for (from, to) in sorted {
        match out.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => out.push((from, to)),
        }
    }
    out
}

/// Whether `[from, to)` meets any of the sorted, disjoint ranges.
fn clashes(busy: &[(i64, i64)], from: i64, to: i64) -> bool {
    // The first range ending after `from` is the only one that can overlap without an
    // earlier one doing so.
    let i = busy.partition_point(|(_, end)| *end <= from);
    busy.get(i).is_some_and(|(start, _)| *start < to)
}

/// The starts a contact may book, soonest first. `busy` holds the `[from, to)` ranges
/// already occupied (buffers included). The work is bounded whatever was stored: at most
/// [`MAX_DAYS_AHEAD`] days, each candidate checked against the busy ranges by binary search.
pub fn free(rules: &Rules, hours: &Hours, busy: &[(i64, i64)], now: Timestamp) -> Vec<i64> {
    let step = STEP_MIN.min(rules.duration).max(5) * 60;
    let length = rules.duration.max(5) * 60;
    let earliest = now.as_second() + rules.min_notice * 60;
    let busy = merged(busy);
    let mut windows = hours.windows.clone();
    windows.sort_by_key(|w| (w.weekday, w.start));
    let today = now.to_zoned_datetime(hours.tz.clone()).date();
    let mut out = Vec::new();
    let mut day = today;
    for _ in 0..=rules.max_days_ahead.clamp(0, MAX_DAYS_AHEAD) {
        if !hours.days_off.contains(&day) {
            let weekday = day.weekday().to_monday_one_offset();
            for w in windows.iter().filter(|w| w.weekday == weekday) {
                let (Some(open), Some(close)) =
                    (at(&hours.tz, day, w.start), at(&hours.tz, day, w.end))
                else {
                    continue;
                };
                let mut start = open.max(earliest - (earliest - open).rem_euclid(step));
                while start + length <= close {
                    let (from, to) = rules.occupies(start);
                    if start >= earliest && !clashes(&busy, from, to) {
                        out.push(start);
                    }
                    start += step;
                }
            }
        }
        match day.tomorrow() {
            Ok(next) => day = next,
            Err(_) => break,
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Weekday names as the availability form lists them, Monday first.
pub const WEEKDAYS: [(i8, &str); 7] = [
    (1, "Monday"),
    (2, "Tuesday"),
    (3, "Wednesday"),
    (4, "Thursday"),
    (5, "Friday"),
    (6, "Saturday"),
    (7, "Sunday"),
];

/// `9:00-12:00, 13:30-17:00` → the windows of `weekday`; times on the five-minute grid,
/// each window ending after it starts, windows not overlapping. `Err` says what is wrong.
pub fn parse_windows(weekday: i8, raw: &str) -> Result<Vec<Window>, String> {
    let mut out: Vec<Window> = Vec::new();
    for part in raw
        .split([',', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let (a, b) = part
            .split_once(['-', '–'])
            .ok_or_else(|| format!("`{part}` is not a span like 9:00-17:00."))?;
        let (start, end) = (minute_of(a.trim())?, minute_of(b.trim())?);
        if end <= start {
            return Err(format!("`{part}` ends before it starts."));
        }
        if out.iter().any(|w| start < w.end && w.start < end) {
            return Err(format!("`{part}` overlaps another span of that day."));
        }
        out.push(Window {
            weekday,
            start,
            end,
        });
    }
    out.sort_by_key(|w| w.start);
    Ok(out)
}

/// `9:30` or `09:30` → 570; `24:00` is the end of the day.
pub fn minute_of(raw: &str) -> Result<i64, String> {
    let bad = || format!("`{raw}` is not a time like 9:00 or 17:30 (on the five minutes).");
    let (h, m) = raw.split_once(':').ok_or_else(bad)?;
    let (h, m): (i64, i64) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    let minute = h * 60 + m;
    if !(0..60).contains(&m) || !(0..=24 * 60).contains(&minute) || m % 5 != 0 {
        return Err(bad());
    }
    Ok(minute)
}

/// 570 → `9:30`.
pub fn show_minute(minute: i64) -> String {
    format!("{}:{:02}", minute / 60, minute % 60)
}

/// The weekday of `Weekday`, Monday = 1.
pub fn weekday_number(w: Weekday) -> i8 {
    w.to_monday_one_offset()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn tz(name: &str) -> TimeZone {
        jiff::tz::db().get(name).unwrap()
    }

    fn ts(rfc3339: &str) -> Timestamp {
        rfc3339.parse().unwrap()
    }

    fn rules(duration: i64) -> Rules {
        Rules {
            duration,
            buffer_before: 0,
            buffer_after: 0,
            min_notice: 0,
            max_days_ahead: 14,
        }
    }

    /// Mondays 9:00-11:00 in `zone`.
    fn mondays(zone: &str) -> Hours {
        Hours {
            tz: tz(zone),
            windows: vec![Window {
                weekday: 1,
                start: 9 * 60,
                end: 11 * 60,
            }],
            days_off: vec![],
        }
    }

    fn shown(starts: &[i64], zone: &str) -> Vec<String> {
        starts
            .iter()
            .map(|s| {
                Timestamp::from_second(*s)
                    .unwrap()
                    .to_zoned_datetime(tz(zone))
                    .strftime("%a %Y-%m-%d %H:%M")
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn hours_are_the_host_s_and_read_in_the_contact_s_zone() {
        // Sunday 2026-11-22, noon in Berlin: the next Monday's 9:00-11:00, hourly meetings
        // every 15 minutes.
        let now = ts("2026-11-22T11:00:00Z");
        let starts = free(&rules(60), &mondays("Europe/Berlin"), &[], now);
        let got = shown(&starts, "Europe/Berlin");
        assert_eq!(
            &got[..5],
            [
                "Mon 2026-11-23 09:00",
                "Mon 2026-11-23 09:15",
                "Mon 2026-11-23 09:30",
                "Mon 2026-11-23 09:45",
                "Mon 2026-11-23 10:00",
            ]
        );
        // The same instants, as a contact in New York reads them: 3:00 in the morning.
        assert_eq!(
            shown(&starts[..1], "America/New_York"),
            ["Mon 2026-11-23 03:00"]
        );
        // And in Kolkata (+5:30): 13:30.
        assert_eq!(
            shown(&starts[..1], "Asia/Kolkata"),
            ["Mon 2026-11-23 13:30"]
        );
    }

    #[test]
    fn a_daylight_saving_change_keeps_the_host_s_local_hours() {
        // Berlin leaves summer time on Sunday 2026-10-25: 9:00 is 07:00 UTC before and
        // 08:00 UTC after; the host's 9:00 stays 9:00 on their clock.
        let now = ts("2026-10-17T12:00:00Z");
        let starts = free(&rules(120), &mondays("Europe/Berlin"), &[], now);
        let utc = shown(&starts, "UTC");
        assert_eq!(utc, ["Mon 2026-10-19 07:00", "Mon 2026-10-26 08:00"]);
        // A contact in New York, whose clocks change a week later (2026-11-01), sees the
        // gap between the two zones move: 3:00 then 4:00, then 3:00 again once both changed.
        let later = free(
            &rules(120),
            &mondays("Europe/Berlin"),
            &[],
            ts("2026-10-24T12:00:00Z"),
        );
        assert_eq!(
            shown(&later, "America/New_York"),
            ["Mon 2026-10-26 04:00", "Mon 2026-11-02 03:00"]
        );
    }

    #[test]
    fn the_skipped_hour_of_spring_is_not_offered() {
        // New York skips 2:00-3:00 on Sunday 2027-03-14: a window of 1:00-4:00 holds two real
        // hours, so hour-long meetings start from 1:00 to 3:00 by the clock — 1:45 is an hour
        // before 3:45 — and never at a time the clock skipped.
        let hours = Hours {
            tz: tz("America/New_York"),
            windows: vec![Window {
                weekday: 7,
                start: 60,
                end: 4 * 60,
            }],
            days_off: vec![],
        };
        let starts = free(&rules(60), &hours, &[], ts("2027-03-13T12:00:00Z"));
        let got: Vec<String> = shown(&starts, "America/New_York")
            .into_iter()
            .filter(|s| s.contains("2027-03-14"))
            .collect();
        assert_eq!(
            got,
            [
                "Sun 2027-03-14 01:00",
                "Sun 2027-03-14 01:15",
                "Sun 2027-03-14 01:30",
                "Sun 2027-03-14 01:45",
                "Sun 2027-03-14 03:00"
            ]
        );
    }

    #[test]
    fn notice_days_off_bookings_and_buffers_remove_slots() {
        let hours = Hours {
            days_off: vec![Date::new(2026, 11, 30).unwrap()],
            ..mondays("UTC")
        };
        let r = Rules {
            duration: 30,
            buffer_before: 15,
            buffer_after: 15,
            min_notice: 24 * 60,
            max_days_ahead: 21,
        };
        // Monday 23rd 8:00: 24 hours' notice rules out today; the 30th is a day off.
        let now = ts("2026-11-23T08:00:00Z");
        let booked = r.occupies(ts("2026-12-07T09:30:00Z").as_second());
        let starts = free(&r, &hours, &[booked], now);
        let got = shown(&starts, "UTC");
        assert!(
            got.iter()
                .all(|s| !s.contains("2026-11-23") && !s.contains("2026-11-30")),
            "{got:?}"
        );
        // On the 7th, 9:30-10:00 is booked, occupying 9:15-10:15 with its buffers. A start s
        // occupies s-0:15 to s+0:45, so within 9:00-11:00 only 10:30 stays clear of it.
        let seventh: Vec<&String> = got.iter().filter(|s| s.contains("2026-12-07")).collect();
        assert_eq!(seventh, ["Mon 2026-12-07 10:30"], "{got:?}");
        assert!(got.contains(&"Mon 2026-12-14 09:00".to_string()));
        assert!(
            !got.iter().any(|s| s.contains("2026-12-21")),
            "past the furthest day: {got:?}"
        );
    }

    #[test]
    fn windows_read_as_people_write_them() {
        let w = parse_windows(2, "9:00-12:00, 13:30 - 17:00").unwrap();
        assert_eq!(
            w,
            [
                Window {
                    weekday: 2,
                    start: 540,
                    end: 720
                },
                Window {
                    weekday: 2,
                    start: 810,
                    end: 1020
                }
            ]
        );
        assert_eq!(parse_windows(2, "  ").unwrap(), []);
        for bad in [
            "9-12",
            "12:00-9:00",
            "9:00-12:00, 11:00-13:00",
            "9:07-10:00",
            "25:00-26:00",
        ] {
            assert!(parse_windows(1, bad).is_err(), "{bad}");
        }
        assert_eq!(blocks(600, 1500), [600, 900, 1200]);
    }

    #[test]
    fn a_window_to_24_00_ends_at_midnight_and_never_panics() {
        let hours = Hours {
            tz: tz("Europe/Berlin"),
            windows: parse_windows(1, "22:00-24:00").unwrap(),
            days_off: vec![],
        };
        // Monday 2026-11-23 in Berlin is UTC+1: 22:00-24:00 is 21:00-23:00 UTC.
        let starts = free(&rules(60), &hours, &[], ts("2026-11-22T12:00:00Z"));
        assert_eq!(
            shown(&starts[..5], "Europe/Berlin"),
            [
                "Mon 2026-11-23 22:00",
                "Mon 2026-11-23 22:15",
                "Mon 2026-11-23 22:30",
                "Mon 2026-11-23 22:45",
                "Mon 2026-11-23 23:00",
            ]
        );
        assert_eq!(
            shown(&starts[5..6], "Europe/Berlin"),
            ["Mon 2026-11-30 22:00"]
        );
        // Whatever a row holds, a search answers: a window past midnight, a negative one.
        let odd = Hours {
            tz: tz("UTC"),
            windows: vec![
                Window {
                    weekday: 1,
                    start: 23 * 60,
                    end: 26 * 60,
                },
                Window {
                    weekday: 2,
                    start: -60,
                    end: 30,
                },
                Window {
                    weekday: 9,
                    start: 0,
                    end: i64::MAX / 4,
                },
            ],
            days_off: vec![],
        };
        let _ = free(
            &rules(30),
            &odd,
            &[(i64::MIN / 4, i64::MAX / 4)],
            ts("2026-11-22T12:00:00Z"),
        );
        let far = Rules {
            max_days_ahead: i64::MAX,
            ..rules(30)
        };
        assert!(free(&far, &mondays("UTC"), &[], ts("2026-11-22T12:00:00Z")).len() <= 53 * 8);
    }

    mod property {
        use super::*;
        use proptest::prelude::*;

        const ZONES: [&str; 6] = [
            "UTC",
            "Europe/Berlin",
            "America/New_York",
            "Asia/Kolkata",
            "Australia/Lord_Howe",
            "Pacific/Chatham",
        ];

        /// Any hours the form accepts: per weekday, spans on the five-minute grid from 0:00
        /// to 24:00, not overlapping.
        fn week() -> impl Strategy<Value = Vec<Window>> {
            proptest::collection::vec((1i8..=7, 0i64..=288, 1i64..=288), 0..12).prop_map(|raw| {
                let mut out: Vec<Window> = Vec::new();
                for (weekday, a, len) in raw {
                    let (start, end) = (a * 5, (a + len).min(288) * 5);
                    if start < end
                        && !out
                            .iter()
                            .any(|w| w.weekday == weekday && start < w.end && w.start < end)
                    {
                        out.push(Window {
                            weekday,
                            start,
                            end,
                        });
                    }
                }
                out
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(300))]
            #[test]
            fn every_offered_start_is_inside_the_hours_after_the_notice_and_clear_of_bookings(
                windows in week(),
                zone in 0usize..ZONES.len(),
                now in 1_767_225_600i64..1_830_297_600, // 2026-01-01 .. 2028-01-01
                duration in 1i64..=96,
                buffers in (0i64..=12, 0i64..=12),
                notice in 0i64..=(3 * 24 * 12),
                days in 1i64..=40,
                booked in proptest::collection::vec((0i64..40 * 288, 1i64..=48), 0..20),
            ) {
                let zone = tz(ZONES[zone]);
                let r = Rules {
                    duration: duration * 5,
                    buffer_before: buffers.0 * 5,
                    buffer_after: buffers.1 * 5,
                    min_notice: notice * 5,
                    max_days_ahead: days,
                };
                let busy: Vec<(i64, i64)> = booked
                    .iter()
                    .map(|(at, len)| {
                        let from = (now / BLOCK) * BLOCK + at * BLOCK;
                        (from, from + len * BLOCK)
                    })
                    .collect();
                let hours = Hours { tz: zone.clone(), windows: windows.clone(), days_off: vec![] };
                let now = Timestamp::from_second(now).unwrap();
                let starts = free(&r, &hours, &busy, now);
                prop_assert!(starts.windows(2).all(|p| p[0] < p[1]), "sorted, once each");
                let first_day = now.to_zoned_datetime(zone.clone()).date();
                for s in &starts {
                    prop_assert!(*s >= now.as_second() + r.min_notice * 60);
                    let (from, to) = r.occupies(*s);
                    prop_assert!(busy.iter().all(|(b, e)| !(from < *e && *b < to)), "clash at {s}");
                    // Inside one window of its local day (24:00 read as the next midnight).
                    let local = Timestamp::from_second(*s).unwrap().to_zoned_datetime(zone.clone());
                    let end = Timestamp::from_second(*s + r.duration * 60).unwrap().to_zoned_datetime(zone.clone());
                    let day = local.date();
                    prop_assert!(day >= first_day && (day - first_day).get_days() as i64 <= days);
                    let inside = windows.iter().filter(|w| w.weekday == weekday_number(day.weekday())).any(|w| {
                        let (Some(open), Some(close)) = (at(&zone, day, w.start), at(&zone, day, w.end)) else { return false };
                        open <= *s && *s + r.duration * 60 <= close
                    });
                    prop_assert!(inside, "{local} .. {end} is outside the hours {windows:?}");
                }
            }
        }
    }
}
