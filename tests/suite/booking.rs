//! Meetings as a contact and the team live them: the host's hours in Berlin, shown to a
//! contact in New York; booked with a confirmation and an `.ics`; moved and cancelled with
//! updated `.ics` (same UID, higher SEQUENCE); the workspace's notice; the host's feed; two
//! contacts racing for one time ending with one booking, on both backends; booking as an
//! add-on to Growth; bad input refused without a trace.

use jiff::Timestamp;
use portico_tests::{backends, snapshot, spawn_app_with, As, Backend, Options, Page, TestApp};

backends!(
    a_contact_books_moves_and_cancels_with_calendar_updates,
    two_contacts_racing_for_one_time_get_one_booking,
    a_colleague_changes_a_meeting_only_with_permission,
    a_new_feed_address_ends_the_old_one,
    the_database_refuses_a_second_claim_on_a_block,
    booking_is_sold_to_growth_as_an_add_on,
    bad_booking_input_changes_nothing,
);

struct World {
    app: TestApp,
    ws: i64,
    host: As,
    host_id: i64,
    meeting: i64,
    bea: As,
    cy: As,
}

async fn world(backend: &Backend, plan: &str, mail: bool) -> World {
    let app = spawn_app_with(
        backend,
        Options {
            mail,
            ..Default::default()
        },
    )
    .await;
    let s = app
        .scenario("acme")
        .plan(plan)
        .staff_owner("host@agency.example")
        .client("Client Co", |c| c.joined_contact("bea@client.example", &[]))
        .client("Other Co", |c| c.contact("cy@other.example", &[]))
        .build()
        .await;
    let (host_id, host, _) = s.staff("host@agency.example");
    let mut w = World {
        app,
        ws: s.ws,
        host,
        host_id,
        meeting: 0,
        bea: s.contact("bea@client.example").1,
        cy: s.contact("cy@other.example").1,
    };
    if plan == "scale" {
        w.set_up().await;
    }
    w
}

impl World {
    async fn admin(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.app
            .submit("acme", &format!("/admin/booking{path}"), &self.host, fields)
            .await
    }

    /// Weekdays 9:00-17:00 in Berlin; an hour-long kick-off with 15 minutes after it.
    async fn set_up(&mut self) {
        let mut hours = vec![("time_zone", "Europe/Berlin"), ("days_off", "")];
        for d in ["day1", "day2", "day3", "day4", "day5"] {
            hours.push((d, "9:00-17:00"));
        }
        let res = self.admin("/hours", &hours).await;
        assert_eq!(res.status, 303, "{}", res.body);
        let host = self.host_id.to_string();
        let res = self
            .admin(
                "/types",
                &[
                    ("name", "Kick-off"),
                    ("host", &host),
                    ("duration", "60"),
                    ("buffer_before", "0"),
                    ("buffer_after", "15"),
                    ("min_notice", "0"),
                    ("max_days_ahead", "30"),
                    ("location", "https://meet.example/kickoff"),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        self.meeting = self
            .app
            .db()
            .query_scalar("SELECT MAX(id) FROM meeting_types")
            .fetch_one()
            .await
            .unwrap();
    }

    /// The free starts the slots page offers `who` in `tz` (as the buttons carry them).
    async fn offered(&self, who: &As, tz: &str, moving: Option<i64>) -> (Page, Vec<i64>) {
        let mut path = format!("/portal/booking/slots?type={}&tz={tz}", self.meeting);
        if let Some(b) = moving {
            path.push_str(&format!("&move={b}"));
        }
        let page = self.app.get("acme", &path, who).await;
        assert_eq!(page.status, 200, "{}", page.body);
        let starts = page
            .body
            .split(r#"name="start" value=""#)
            .skip(1)
            .filter_map(|rest| rest.split('"').next()?.parse().ok())
            .collect();
        (page, starts)
    }

    async fn book(&self, who: &As, start: i64, tz: &str) -> Page {
        let (t, s) = (self.meeting.to_string(), start.to_string());
        self.app
            .submit(
                "acme",
                "/portal/booking",
                who,
                &[("type", &t), ("start", &s), ("tz", tz)],
            )
            .await
    }

    /// The secret of the host's calendar feed.
    async fn feed_token(&self) -> String {
        self.app
            .db()
            .query_scalar("SELECT feed_token FROM booking_hosts WHERE staff_user_id = $1")
            .bind(self.host_id)
            .fetch_one()
            .await
            .unwrap()
    }

    /// The host's feed, as a calendar app without a session asks for it.
    async fn feed(&self, token: &str) -> Page {
        let path = format!("/hooks/booking/calendar/{token}");
        self.app.get("acme", &path, &As::Anonymous).await
    }

    /// (status, sequence, starts_at) of a booking, and how many blocks it holds.
    async fn row(&self, id: i64) -> ((String, i64, i64), i64) {
        let row = self
            .app
            .db()
            .query_as("SELECT status, sequence, starts_at FROM bookings WHERE id = $1")
            .bind(id)
            .fetch_one()
            .await
            .unwrap();
        let blocks: i64 = self
            .app
            .db()
            .query_scalar("SELECT COUNT(*) FROM booking_blocks WHERE booking_id = $1")
            .bind(id)
            .fetch_one()
            .await
            .unwrap();
        (row, blocks)
    }
}

fn local(start: i64, zone: &str, format: &str) -> String {
    Timestamp::from_second(start)
        .unwrap()
        .to_zoned_datetime(jiff::tz::db().get(zone).unwrap())
        .strftime(format)
        .to_string()
}

/// The soonest start a Berlin host with weekdays 9:00-17:00 offers for an hour-long meeting
/// with no notice, found the slow way: every quarter hour from `now` on, read in Berlin.
fn soonest_berlin_start(now: i64) -> i64 {
    let mut q = now.div_euclid(900) * 900;
    loop {
        if q >= now {
            let (day, time) = (
                local(q, "Europe/Berlin", "%u"),
                local(q, "Europe/Berlin", "%H:%M"),
            );
            if day.as_str() <= "5" && ("09:00"..="16:00").contains(&time.as_str()) {
                return q;
            }
        }
        q += 900;
    }
}

fn utc(start: i64) -> String {
    local(start, "UTC", "%Y%m%dT%H%M%SZ")
}

/// The one `.ics` attached to a message, unfolded.
fn ics(mail: &portico_tests::mail::Mail) -> String {
    assert_eq!(mail.attachments.len(), 1, "{:?}", mail.attachments);
    let (name, kind, body) = &mail.attachments[0];
    assert_eq!(name, "meeting.ics");
    assert!(kind.starts_with("text/calendar"), "{kind}");
    body.replace("\r\n ", "").replace("\r\n", "\n")
}

async fn a_contact_books_moves_and_cancels_with_calendar_updates(backend: Backend) {
    let w = world(&backend, "scale", true).await;
    let index = w.app.get("acme", "/portal/booking", &w.bea).await.words();
    assert!(
        index.contains("Kick-off · 60 minutes with host@agency.example"),
        "{index}"
    );
    // Shown in New York: the host's Berlin working hours, read on the contact's clock. The
    // soonest offer is the next quarter hour of a Berlin weekday's 9:00-16:00 (the last hour
    // ends at 17:00), whatever the day and hour the suite runs at.
    let before = portal_core::db::now();
    let (page, starts) = w.offered(&w.bea, "America/New_York", None).await;
    let after = portal_core::db::now();
    let soonest = [soonest_berlin_start(before), soonest_berlin_start(after)];
    assert!(
        soonest.contains(&starts[0]),
        "{} not in {soonest:?}",
        starts[0]
    );
    let shown = local(starts[0], "America/New_York", "%-H:%M");
    assert!(page.words().contains(&shown), "{shown} in {}", page.words());
    // The one booked below starts at 9:00 Berlin on a later weekday, so the clock cannot
    // overtake it while the test runs.
    let first = *starts
        .iter()
        .find(|s| **s > after + 6 * 3600 && local(**s, "Europe/Berlin", "%H:%M") == "09:00")
        .unwrap();
    let ny = local(first, "America/New_York", "%-H:%M");
    assert!(page.words().contains(&ny), "{ny} in {}", page.words());

    let res = w.book(&w.bea, first, "America/New_York").await;
    assert_eq!(res.status, 303, "{}", res.body);
    let id = res.location_id("booking");
    // Booked, holding its hour and the 15 minutes after it: 15 blocks of five minutes.
    assert_eq!(w.row(id).await, (("confirmed".into(), 0, first), 15));
    let mail = w.app.mail.as_ref().unwrap();
    let got = mail.wait_for("bea@client.example", 1).await;
    assert!(
        got[0]
            .subject
            .starts_with("Your meeting is booked: Kick-off"),
        "{}",
        got[0].subject
    );
    assert!(
        got[0].text.contains("(America/New_York)"),
        "{}",
        got[0].text
    );
    let invite = ics(&got[0]);
    let uid = format!("UID:booking-{id}@acme.portico");
    for expected in [
        "METHOD:REQUEST",
        uid.as_str(),
        "SEQUENCE:0",
        &format!("DTSTART:{}", utc(first)),
        &format!("DTEND:{}", utc(first + 3600)),
        "LOCATION:https://meet.example/kickoff",
        "STATUS:CONFIRMED",
    ] {
        assert!(invite.contains(expected), "{expected} in {invite}");
    }
    // The host hears of it, in their own zone.
    let host_mail = mail.wait_for("host@agency.example", 1).await;
    let berlin = local(first, "Europe/Berlin", "%-H:%M");
    assert!(
        host_mail[0]
            .subject
            .contains("bea@client.example of Client Co booked Kick-off")
            && host_mail[0].subject.contains(&berlin)
            && host_mail[0].subject.contains("(Europe/Berlin)"),
        "{}",
        host_mail[0].subject
    );
    // Taken now: no longer offered to anyone, and a second booking of it is refused.
    let (_, for_cy) = w.offered(&w.cy, "Europe/Berlin", None).await;
    assert!(!for_cy.contains(&first));
    let res = w.book(&w.cy, first, "Europe/Berlin").await;
    assert_eq!(res.status, 409, "{}", res.body);
    assert!(
        res.words().contains("Choose another time"),
        "{}",
        res.words()
    );

    // Within the workspace's notice the contact cannot move it.
    let res = w.admin("/settings", &[("notice_hours", "720")]).await;
    assert_eq!(res.status, 303);
    let refused = w
        .app
        .submit(
            "acme",
            &format!("/portal/booking/{id}/move"),
            &w.bea,
            &[("start", &(first + 3 * 3600).to_string()), ("tz", "UTC")],
        )
        .await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(refused.words().contains("starts in less than 720 hours"));
    let res = w.admin("/settings", &[("notice_hours", "0")]).await;
    assert_eq!(res.status, 303);

    // Moved: same identity, next sequence, new time; its old hour is free again.
    let (_, moving) = w.offered(&w.bea, "America/New_York", Some(id)).await;
    let later = *moving.iter().find(|s| **s >= first + 3 * 3600).unwrap();
    let res = w
        .app
        .submit(
            "acme",
            &format!("/portal/booking/{id}/move"),
            &w.bea,
            &[("start", &later.to_string()), ("tz", "America/New_York")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(w.row(id).await, (("confirmed".into(), 1, later), 15));
    let got = mail.wait_for("bea@client.example", 2).await;
    let moved = ics(&got[1]);
    assert!(
        got[1].subject.starts_with("Your meeting has moved"),
        "{}",
        got[1].subject
    );
    for expected in [
        uid.as_str(),
        "SEQUENCE:1",
        &format!("DTSTART:{}", utc(later)),
    ] {
        assert!(moved.contains(expected), "{expected} in {moved}");
    }
    let (_, again) = w.offered(&w.cy, "Europe/Berlin", None).await;
    assert!(again.contains(&first), "the old time is free again");

    // The host's feed: their meetings, for a calendar app with no session.
    let feed = w.feed(&w.feed_token().await).await;
    assert_eq!(feed.status, 200);
    assert!(feed.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    let unfolded = feed.body.replace("\r\n ", "");
    assert!(unfolded.contains(&uid) && unfolded.contains(&format!("DTSTART:{}", utc(later))));
    assert!(!unfolded.contains("METHOD:"), "a feed is not a message");
    let wrong = w
        .app
        .get("acme", "/hooks/booking/calendar/0000", &As::Anonymous)
        .await;
    assert_eq!(wrong.status, 404);

    // The workspace's notice: inside it the contact cannot cancel; staff still can.
    let res = w.admin("/settings", &[("notice_hours", "720")]).await;
    assert_eq!(res.status, 303);
    let before = w.row(id).await;
    let res = w
        .app
        .submit("acme", &format!("/portal/booking/{id}/cancel"), &w.bea, &[])
        .await;
    assert_eq!(res.status, 409);
    assert!(
        res.words().contains("starts in less than 720 hours"),
        "{}",
        res.words()
    );
    assert_eq!(w.row(id).await, before);
    let res = w.admin("/settings", &[("notice_hours", "0")]).await;
    assert_eq!(res.status, 303);

    // Cancelled by the contact: the invitation is withdrawn, the time is free.
    let res = w
        .app
        .submit("acme", &format!("/portal/booking/{id}/cancel"), &w.bea, &[])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(w.row(id).await, (("cancelled".into(), 2, later), 0));
    let got = mail.wait_for("bea@client.example", 3).await;
    let cancel = ics(&got[2]);
    for expected in [
        "METHOD:CANCEL",
        uid.as_str(),
        "SEQUENCE:2",
        "STATUS:CANCELLED",
    ] {
        assert!(cancel.contains(expected), "{expected} in {cancel}");
    }
    assert_eq!(
        w.app
            .submit("acme", &format!("/portal/booking/{id}/cancel"), &w.bea, &[])
            .await
            .status,
        409
    );

    // Staff cancel a contact's meeting at any time; the contact is told, and so is the host
    // when someone else did it.
    let second = w
        .book(&w.bea, first, "Europe/Berlin")
        .await
        .location_id("booking");
    let (_, desk, _) = w
        .app
        .staff_in_role(w.ws, "desk@agency.example", "admin")
        .await;
    let res = w
        .app
        .submit(
            "acme",
            &format!("/admin/booking/{second}/cancel"),
            &desk,
            &[],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(w.row(second).await.0 .0, "cancelled");
    let got = mail.wait_for("bea@client.example", 5).await;
    assert!(ics(&got[4]).contains("METHOD:CANCEL"));
    let to_host = mail.wait_for("host@agency.example", 5).await;
    let last = &to_host.last().unwrap().subject;
    assert!(
        last.starts_with(
            "desk@agency.example cancelled Kick-off with bea@client.example of Client Co"
        ),
        "{last}"
    );
    // Staff move a meeting to another free time of the host, given in their own zone.
    let third = w
        .book(&w.bea, first, "Europe/Berlin")
        .await
        .location_id("booking");
    let (_, free) = w.offered(&w.cy, "Europe/Berlin", None).await;
    let target = *free.iter().find(|s| **s >= first + 2 * 3600).unwrap();
    let night = local(first, "Europe/Berlin", "%Y-%m-%dT03:00");
    // (Mail is delivered meanwhile: the booking's own rows say whether anything changed.)
    let before = w.row(third).await;
    let res = w
        .admin(&format!("/{third}/move"), &[("when", &night)])
        .await;
    assert_eq!(res.status, 409, "{}", res.body);
    assert!(res
        .words()
        .contains("is not a free time of host@agency.example"));
    assert_eq!(
        w.admin(&format!("/{third}/move"), &[("when", "next week")])
            .await
            .status,
        400
    );
    assert_eq!(w.row(third).await, before);
    let when = local(target, "Europe/Berlin", "%Y-%m-%dT%H:%M");
    let res = w.admin(&format!("/{third}/move"), &[("when", &when)]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(w.row(third).await, (("confirmed".into(), 1, target), 15));
    let got = mail.wait_for("bea@client.example", 7).await;
    assert!(
        got[6].subject.starts_with("Your meeting has moved"),
        "{}",
        got[6].subject
    );
    assert!(ics(&got[6]).contains(&format!("DTSTART:{}", utc(target))));
    // Another client's contact finds none of Bea's meetings.
    assert_eq!(
        w.app
            .get("acme", &format!("/portal/booking/{id}"), &w.cy)
            .await
            .status,
        404
    );
}

/// Everyone at the client sees its meetings and who booked each; moving or cancelling one a
/// colleague booked takes "Move and cancel colleagues' meetings".
async fn a_colleague_changes_a_meeting_only_with_permission(backend: Backend) {
    let w = world(&backend, "scale", false).await;
    let client: i64 = w
        .app
        .db()
        .query_scalar("SELECT client_id FROM contacts WHERE email = 'bea@client.example'")
        .fetch_one()
        .await
        .unwrap();
    let (_, dee) = w.app.contact(w.ws, client, "dee@client.example", &[]).await;
    let (_, ann) = w
        .app
        .contact(
            w.ws,
            client,
            "ann@client.example",
            &[portico_booking::CAN_CHANGE_OTHERS],
        )
        .await;
    // Past the workspace's 24-hour notice, so only the permission stands in the way.
    let (_, starts) = w.offered(&w.bea, "Europe/Berlin", None).await;
    let later: Vec<i64> = starts
        .into_iter()
        .filter(|s| *s > portal_core::db::now() + 30 * 3600)
        .collect();
    let res = w.book(&w.bea, later[0], "Europe/Berlin").await;
    assert_eq!(res.status, 303, "{}", res.body);
    let id = res.location_id("booking");

    let list = w.app.get("acme", "/portal/booking", &dee).await;
    assert!(
        list.words().contains("bea@client.example Booked"),
        "{}",
        list.words()
    );
    let page = w
        .app
        .get("acme", &format!("/portal/booking/{id}"), &dee)
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.words().contains("Booked by bea@client.example"),
        "{}",
        page.words()
    );
    assert!(
        page.words()
            .contains("bea@client.example booked this meeting"),
        "{}",
        page.words()
    );
    assert!(!page.body.contains("/cancel\""), "no Cancel for Dee");
    assert!(!page.words().contains("Move it"));

    let before = snapshot(w.app.db()).await;
    let start = later[2].to_string();
    let moving = format!("/portal/booking/slots?type={}&move={id}", w.meeting);
    for res in [
        w.app
            .submit("acme", &format!("/portal/booking/{id}/cancel"), &dee, &[])
            .await,
        w.app
            .submit(
                "acme",
                &format!("/portal/booking/{id}/move"),
                &dee,
                &[("start", &start), ("tz", "Europe/Berlin")],
            )
            .await,
        w.app.get("acme", &moving, &dee).await,
    ] {
        assert_eq!(res.status, 403, "{}", res.body);
        assert!(res
            .words()
            .contains("bea@client.example booked this meeting"));
    }
    assert_eq!(snapshot(w.app.db()).await, before, "nothing changed");

    // Ann may: she sees the buttons, and the cancellation goes through.
    let page = w
        .app
        .get("acme", &format!("/portal/booking/{id}"), &ann)
        .await;
    assert!(page.words().contains("Move it"), "{}", page.words());
    let res = w
        .app
        .submit("acme", &format!("/portal/booking/{id}/cancel"), &ann, &[])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(w.row(id).await.0 .0, "cancelled");
}

/// A feed address given away by mistake is replaced from the Meetings page: the old one
/// answers "not found" at once, the new one serves the same meetings.
async fn a_new_feed_address_ends_the_old_one(backend: Backend) {
    let w = world(&backend, "scale", false).await;
    let old = w.feed_token().await;
    assert_eq!(w.feed(&old).await.status, 200);
    let page = w.app.get("acme", "/admin/booking", &w.host).await;
    assert!(page.text().contains(&old), "the page shows the address");
    assert!(page.words().contains("New feed address"));

    let res = w.admin("/feed", &[]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let new = w.feed_token().await;
    assert_ne!(new, old);
    assert_eq!(w.feed(&old).await.status, 404, "the old address is dead");
    assert_eq!(w.feed(&new).await.status, 200);
    let page = w
        .app
        .request_host("GET", None, &res.location(), &w.host)
        .await;
    assert!(
        page.words().contains("Your feed has a new address"),
        "{}",
        page.words()
    );
    assert!(page.text().contains(&new) && !page.text().contains(&old));

    // Someone with no hours has no feed to renew.
    let (_, other, _) = w
        .app
        .staff_in_role(w.ws, "new@agency.example", "member")
        .await;
    let res = w
        .app
        .submit("acme", "/admin/booking/feed", &other, &[])
        .await;
    assert_eq!(res.status, 404);
}

async fn two_contacts_racing_for_one_time_get_one_booking(backend: Backend) {
    let w = world(&backend, "scale", false).await;
    let (_, starts) = w.offered(&w.bea, "Europe/Berlin", None).await;
    let start = starts[3];
    let (a, b) = tokio::join!(
        w.book(&w.bea, start, "Europe/Berlin"),
        w.book(&w.cy, start, "Europe/Berlin")
    );
    let mut statuses = [a.status, b.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [303, 409], "{} / {}", a.body, b.body);
    let loser = if a.status == 409 { &a } else { &b };
    assert!(
        loser.words().contains("Choose another time"),
        "{}",
        loser.words()
    );
    let count: i64 = w
        .app
        .db()
        .query_scalar("SELECT COUNT(*) FROM bookings WHERE starts_at = $1")
        .bind(start)
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(count, 1);
    let blocks: i64 = w
        .app
        .db()
        .query_scalar("SELECT COUNT(*) FROM booking_blocks")
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(blocks, 15);
}

/// Below the pages' own check: two transactions claiming one time, the second while the
/// first has not committed yet. The database makes the second wait, then refuses it.
async fn the_database_refuses_a_second_claim_on_a_block(backend: Backend) {
    use portal_core::db::ScopedTx;
    use portico_booking::store::{self, NewBooking};
    let w = world(&backend, "scale", false).await;
    let (_, starts) = w.offered(&w.bea, "Europe/Berlin", None).await;
    let m = store::meeting_type(w.app.db(), w.ws, w.meeting)
        .await
        .unwrap();
    let client: i64 = w
        .app
        .db()
        .query_scalar("SELECT MIN(id) FROM clients")
        .fetch_one()
        .await
        .unwrap();
    let new = |start: i64| NewBooking {
        workspace_id: w.ws,
        client_id: client,
        contact_id: None,
        contact_name: "Racer",
        contact_email: "racer@client.example",
        meeting: &m,
        start,
        time_zone: "Europe/Berlin",
    };
    let db = w.app.db().clone();
    let mut first = ScopedTx::begin_staff_write(&db, w.ws).await.unwrap();
    store::book(&mut first, &new(starts[0])).await.unwrap();
    // The second overlaps the first by its last quarter hour (the first's buffer).
    let overlapping = starts[0] + 3600;
    let m2 = m.clone();
    let (ws, db2) = (w.ws, db.clone());
    let second = tokio::spawn(async move {
        let mut tx = ScopedTx::begin_staff_write(&db2, ws).await?;
        let booked = store::book(
            &mut tx,
            &NewBooking {
                workspace_id: ws,
                client_id: client,
                contact_id: None,
                contact_name: "Second",
                contact_email: "second@client.example",
                meeting: &m2,
                start: overlapping,
                time_zone: "Europe/Berlin",
            },
        )
        .await;
        match booked {
            Ok(id) => tx.commit().await.map(|_| id),
            Err(e) => Err(e),
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    first.commit().await.unwrap();
    let outcome = second.await.unwrap();
    assert!(
        matches!(&outcome, Err(portal_core::Error::Conflict(m)) if m.contains("just booked by someone else")),
        "{outcome:?}"
    );
    let count: i64 = w
        .app
        .db()
        .query_scalar("SELECT COUNT(*) FROM bookings")
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(count, 1);
}

async fn booking_is_sold_to_growth_as_an_add_on(backend: Backend) {
    let mut w = world(&backend, "growth", false).await;
    let never = w.app.get("acme", "/portal/no-such-page", &w.bea).await;
    let page = w.app.get("acme", "/portal/booking", &w.bea).await;
    assert_eq!((page.status, &page.body), (404, &never.body));
    let home = w.app.get("acme", "/portal/", &w.bea).await.words();
    assert!(!home.contains("Book a Meeting"), "{home}");
    portal_core::workspace::apply_change(
        w.app.db(),
        w.ws,
        &portal_core::workspace::EntitlementChange::AddAddon("booking".into()),
    )
    .await
    .unwrap();
    let empty = w.app.get("acme", "/portal/booking", &w.bea).await.words();
    assert!(
        empty.contains("Nothing can be booked online right now."),
        "{empty}"
    );
    w.set_up().await;
    let home = w.app.get("acme", "/portal/", &w.bea).await;
    assert!(home.words().contains("Book a Meeting"), "{}", home.words());
    assert!(portico_tests::menu_labels(&home.body).contains(&"Meetings".to_string()));
    let (_, starts) = w.offered(&w.bea, "Europe/Berlin", None).await;
    assert!(!starts.is_empty());
}

async fn bad_booking_input_changes_nothing(backend: Backend) {
    let w = world(&backend, "scale", false).await;
    let (_, starts) = w.offered(&w.bea, "Europe/Berlin", None).await;
    let t = w.meeting.to_string();
    let before = snapshot(w.app.db()).await;
    for (fields, status) in [
        (
            vec![
                ("type", t.as_str()),
                ("start", "soon"),
                ("tz", "Europe/Berlin"),
            ],
            400,
        ),
        (
            vec![
                ("type", t.as_str()),
                ("start", &starts[0].to_string()),
                ("tz", "Mars/Olympus"),
            ],
            400,
        ),
        (
            vec![
                ("type", "999999"),
                ("start", &starts[0].to_string()),
                ("tz", "UTC"),
            ],
            400,
        ),
        // Not a slot: a minute past one, or in the middle of the night.
        (
            vec![
                ("type", t.as_str()),
                ("start", &(starts[0] + 60).to_string()),
                ("tz", "UTC"),
            ],
            409,
        ),
        (
            vec![
                ("type", t.as_str()),
                ("start", &(starts[0] - 6 * 3600).to_string()),
                ("tz", "UTC"),
            ],
            409,
        ),
    ] {
        let res = w
            .app
            .submit("acme", "/portal/booking", &w.bea, &fields)
            .await;
        assert_eq!(res.status, status, "{fields:?}: {}", res.body);
    }
    let host = w.host_id.to_string();
    for (path, fields) in [
        (
            "/hours",
            vec![("time_zone", "Europe/Berlin"), ("day1", "9:00-8:00")],
        ),
        (
            "/hours",
            vec![("time_zone", "Nowhere/Else"), ("day1", "9:00-17:00")],
        ),
        (
            "/hours",
            vec![("time_zone", "UTC"), ("days_off", "tomorrow")],
        ),
        (
            "/hours",
            vec![("time_zone", "UTC"), ("days_off", "-000001-01-01")],
        ),
        (
            "/types",
            vec![
                ("name", "X"),
                ("host", &host),
                ("duration", "7"),
                ("max_days_ahead", "30"),
            ],
        ),
        (
            "/types",
            vec![
                ("name", "X"),
                ("host", "424242"),
                ("duration", "30"),
                ("max_days_ahead", "30"),
            ],
        ),
        (
            "/types",
            vec![
                ("name", ""),
                ("host", &host),
                ("duration", "30"),
                ("max_days_ahead", "30"),
            ],
        ),
        ("/settings", vec![("notice_hours", "-1")]),
    ] {
        let res = w.admin(path, &fields).await;
        assert_eq!(res.status, 400, "{path} {fields:?}: {}", res.body);
    }
    assert_eq!(snapshot(w.app.db()).await, before);
}
