//! # portico-booking
//!
//! Meetings a client's contacts book with the team: staff define what can be booked (length,
//! buffers before and after, minimum notice, how far ahead, where or which video link) and,
//! each in their own time zone, their weekly hours and days off; a contact picks a free time
//! shown in their own zone, and gets a confirmation with an `.ics`; both sides cancel or move
//! it (contacts within the workspace's notice), with emails and updated `.ics` each time;
//! hosts subscribe to their meetings as an iCalendar feed.
//!
//! Laid out like every module: `lib.rs` declares and registers, `slots.rs` computes free
//! times (pure, tested across zones and daylight-saving changes), `ics.rs` writes calendars,
//! `store.rs` holds the queries, `news.rs` who is told, `portal.rs`, `admin.rs`, `api.rs` and
//! `feed.rs` the handlers of each surface, `migrations/` and `templates/` the rest.
//!
//! **No double booking, ever**: a booking claims every five-minute block it covers (buffers
//! included) in `booking_blocks`, whose primary key is (host, block). Of two contacts racing
//! for one time, the database refuses the second claim — on SQLite and PostgreSQL alike —
//! and that contact is told to choose another time. (A consequence: buffers of two meetings
//! do not overlap each other either.)
//!
//! In the default catalogue booking is in Scale, and sold to Growth as an add-on.
mod admin;
mod api;
mod feed;
pub mod ics;
mod news;
mod portal;
pub mod slots;
pub mod store;

use portal_core::prelude::*;

portal_core::module_files!();

pub const ID: &str = "booking";
pub const FEATURE: &str = "booking";
/// Move and cancel meetings a colleague booked. Everyone sees the client's meetings and
/// changes their own; changing someone else's plans needs this.
pub const CAN_CHANGE_OTHERS: &str = "can_change_colleagues_meetings";

pub struct Booking;

/// What this module is and brings, read by the core without running its code.
pub const MANIFEST: Manifest = Manifest {
    id: ID,
    name: "Booking",
    version: env!("CARGO_PKG_VERSION"),
    features: &[FeatureDecl {
        key: FEATURE,
        label: "Meeting booking",
        tiers: &[TierDecl::STANDARD],
    }],
    permissions: &[PermissionDecl {
        key: CAN_CHANGE_OTHERS,
        label: "Move and cancel colleagues' meetings",
        description: "Move or cancel a meeting another contact of the client booked (everyone moves and cancels their own).",
        presets: &["client_admin"],
    }],
    menu_items: &[MenuItem {
        label: "Meetings",
        path: "/booking",
        icon: "calendar",
        order: 60,
        permission: None,
        feature: Some(FEATURE),
    }],
    quick_actions: &[QuickAction {
        key: "book",
        label: "Book a Meeting",
        description: "Pick a time that suits you with the team.",
        path: "/booking",
        order: 60,
        permission: None,
        feature: Some(FEATURE),
    }],
    migrations: MIGRATIONS,
    templates: TEMPLATES,
    ..Manifest::EMPTY
};

portal_core::register_module!(Booking);

#[async_trait]
impl PortalModule for Booking {
    fn manifest(&self) -> &'static Manifest {
        &MANIFEST
    }
    fn portal_routes(&self) -> Routes {
        Routes::new()
            .get("/booking", portal::index)
            .post("/booking", portal::book)
            .get("/booking/slots", portal::slots_page)
            .record_params(&[("type", "context:type"), ("move", "id")])
            .get("/booking/{id}", portal::show)
            .post("/booking/{id}/cancel", portal::cancel)
            .post("/booking/{id}/move", portal::move_to)
    }
    fn admin_routes(&self) -> Routes {
        Routes::new()
            .get("/booking", admin::index)
            .post("/booking/types", admin::create_type)
            .requires_role(Role::Admin)
            .post("/booking/types/{type}", admin::update_type)
            .get("/booking/hours", admin::hours_page)
            .post("/booking/hours", admin::save_hours)
            .post("/booking/settings", admin::save_settings)
            .requires_role(Role::Admin)
            .post("/booking/feed", admin::new_feed_address)
            .post("/booking/{id}/move", admin::move_to)
            .post("/booking/{id}/cancel", admin::cancel)
    }
    fn api_routes(&self) -> Routes {
        Routes::new().get("/bookings", api::list)
    }
    fn hook_routes(&self) -> Routes {
        Routes::new().get("/booking/calendar/{token}", feed::calendar)
    }
    /// A host with weekday hours, an intro call, and the client's meeting at its first free
    /// time: the routes' `{type}`, `{id}` and `{token}`.
    async fn seed(&self, state: &AppState, workspace_id: i64, client_id: i64) -> Result<Seeded> {
        let db = &state.db;
        let (email, name) = ("sam.rivera@agency.example", "Sam Rivera");
        let host = portal_core::team::demo_staff(db, workspace_id, email, name).await?;
        if store::host(db, workspace_id, host).await?.is_none() {
            let weekdays: Vec<slots::Window> = (1..=5)
                .map(|weekday| slots::Window {
                    weekday,
                    start: 9 * 60,
                    end: 17 * 60,
                })
                .collect();
            store::save_hours(db, workspace_id, host, "Europe/London", &weekdays, &[]).await?;
        }
        let fields = store::TypeFields {
            name: "Intro call".into(),
            host_id: host,
            rules: slots::Rules {
                duration: 30,
                buffer_before: 0,
                buffer_after: 10,
                min_notice: 60,
                max_days_ahead: 30,
            },
            location: "https://meet.example/portico-intro".into(),
            active: true,
        };
        // One intro call per workspace, however many clients are seeded.
        let existing = store::types(db, workspace_id, true)
            .await?
            .into_iter()
            .find(|t| t.name == fields.name && t.host_id == host);
        let type_id = match existing {
            Some(t) => t.id,
            None => store::create_type(db, workspace_id, &fields).await?,
        };
        let meeting = store::meeting_type(db, workspace_id, type_id).await?;
        let hours = store::hours(db, workspace_id, host)
            .await?
            .ok_or_else(|| Error::Internal("the seeded host has no hours".into()))?;
        let busy = store::busy(db, workspace_id, host, portal_core::db::now()).await?;
        let start = slots::free(&meeting.rules(), &hours, &busy, slots::now())
            .first()
            .copied()
            .ok_or_else(|| Error::Internal("no free time to seed a meeting".into()))?;
        let mut tx = ScopedTx::begin_staff_write(db, workspace_id).await?;
        let id = store::book(
            &mut tx,
            &store::NewBooking {
                workspace_id,
                client_id,
                contact_id: None,
                contact_name: "Dana Wells",
                contact_email: "dana@client.example",
                meeting: &meeting,
                start,
                time_zone: "Europe/London",
            },
        )
        .await?;
        tx.commit().await?;
        let token = store::host(db, workspace_id, host)
            .await?
            .map(|h| h.feed_token)
            .unwrap_or_default();
        Ok(vec![
            ("type", type_id.to_string()),
            ("id", id.to_string()),
            ("token", token),
        ])
    }
}
