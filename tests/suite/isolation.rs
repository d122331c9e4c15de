//! The isolation probe. Every route the core and every linked module registers — found in
//! the route table, so routes added later are probed without editing this file — is called
//! with every method it accepts, using one client's object ids, by a contact of another
//! client of the same workspace and by a contact of another workspace (and, on staff
//! surfaces, by staff of another workspace). Every answer must be the plain "does not exist"
//! answer, no page may show the first client's objects, and no row of anyone but the probers
//! may change: a route that names no record acts on the caller's own (their notification
//! settings, their own activity), which is theirs to change. The doors (sign-in, one-time
//! links) are left out: they serve no one's records, and a `{link}` is the secret itself.

use portal_core::module::{RouteInfo, Surface};
use portico_tests::{
    backends, changed_rows, concrete_path, names_a_record, record_body, record_query, record_value,
    snapshot, spawn_app_with, As, Backend, Options, Samples, TestApp,
};

backends!(
    no_route_reaches_another_clients_data,
    a_colleague_without_a_permission_reaches_none_of_its_routes,
    what_the_lowest_staff_role_is_refused_changes_nothing,
);

/// The same probe on PostgreSQL connected as a role with BYPASSRLS: row-level security stops
/// nothing, so any wall that only it held fails here. RLS is the second wall, never the only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_route_reaches_another_clients_data_without_row_level_security() {
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let app = spawn_app_with(
        &backend,
        Options {
            without_rls: true,
            ..Options::default()
        },
    )
    .await;
    let sql = "SELECT rolbypassrls FROM pg_roles WHERE rolname = current_user";
    let bypasses: bool = app.db().query_scalar(sql).fetch_one().await.unwrap();
    assert!(
        bypasses,
        "the portal's role must bypass row-level security here"
    );
    probe(app).await;
}

static ANONYMOUS: As = As::Anonymous;

/// A plan that entitles every linked module interactively, so mutating routes are reachable.
const PLAN: &str = "growth";

struct Party {
    slug: &'static str,
    client: i64,
    contact_id: i64,
    contact: As,
    staff: As,
    bearer: As,
}

async fn party(app: &TestApp, slug: &'static str, ws: i64, client: i64, email: &str) -> Party {
    let (contact_id, contact) = app.contact(ws, client, email, &app.all_permissions()).await;
    let (staff, bearer) = app.staff(ws, &format!("staff-{email}")).await;
    Party {
        slug,
        client,
        contact_id,
        contact,
        staff,
        bearer,
    }
}

/// Whether a row is the probers' own: of their clients or contacts, or of the other
/// workspace, where every prober is. Only routes that name no record may change such rows
/// (their notification settings, a two-step setup); a route asked with A's records must
/// change nothing at all, which is checked around each request.
fn probers_own(
    table: &str,
    row: &serde_json::Map<String, serde_json::Value>,
    probers: &[&Party],
    other_ws: i64,
) -> bool {
    let is = |column: &str, value: i64| row.get(column).and_then(|v| v.as_i64()) == Some(value);
    is("workspace_id", other_ws)
        || (table == "workspaces" && is("id", other_ws))
        || probers.iter().any(|p| {
            is("client_id", p.client)
                || is("contact_id", p.contact_id)
                || (table == "contacts" && is("id", p.contact_id))
        })
}

async fn no_route_reaches_another_clients_data(backend: Backend) {
    probe(spawn_app_with(&backend, Options::default()).await).await;
}

async fn probe(app: TestApp) {
    let ws = app.workspace("alpha", PLAN).await;
    let other_ws = app.workspace("omega", PLAN).await;
    let a = app.client(ws, "Client A").await;
    let b = app.client(ws, "Client B").await;
    let c = app.client(other_ws, "Client C").await;
    // Modules sold as add-ons are probed too.
    app.take_every_addon(ws, PLAN).await;
    app.take_every_addon(other_ws, PLAN).await;
    // Everyone has data of their own; the probe uses A's.
    let samples = app.seed_modules(ws, a).await;
    let b_samples = app.seed_modules(ws, b).await;
    let c_samples = app.seed_modules(other_ws, c).await;
    let owner = party(&app, "alpha", ws, a, "a@example.com").await;
    let same_workspace = party(&app, "alpha", ws, b, "b@example.com").await;
    let other_workspace = party(&app, "omega", other_ws, c, "c@example.com").await;

    let routes: Vec<_> = app
        .state
        .routes
        .iter()
        .filter(|r| !r.open)
        .cloned()
        .collect();
    // A's objects, as the paths that show them: no other party's page may link to them.
    // A route names a record by a path `{param}` or by a declared query parameter.
    let names_records =
        |r: &portal_core::module::RouteInfo| r.path.contains('{') || !r.record_params.is_empty();
    let a_paths: Vec<String> = routes
        .iter()
        .filter(|r| names_records(r) && r.surface == Surface::Portal)
        .map(|r| concrete_path(r, &samples) + &record_query(r, &samples))
        .collect();
    for path in &a_paths {
        let page = app.get("alpha", path, &owner.contact).await;
        assert!(
            page.status < 400 || page.status == 405,
            "A reaches its own {path}: {}",
            page.status
        );
    }

    let before = snapshot(app.db()).await;
    let logged_before = last_activity(&app).await;
    // What the probers' own records, taken as a control, changed: theirs to change.
    let mut taken = Vec::new();
    for route in &routes {
        let path = concrete_path(route, &samples) + &record_query(route, &samples);
        let probers: Vec<(&Party, &As)> = match route.surface {
            Surface::Portal => vec![
                (&same_workspace, &same_workspace.contact),
                (&other_workspace, &other_workspace.contact),
            ],
            // Staff see every client of their own workspace by design; they must not reach
            // another workspace's.
            Surface::Admin => vec![(&other_workspace, &other_workspace.staff)],
            Surface::Api => vec![(&other_workspace, &other_workspace.bearer)],
            // No session at all: what a forged webhook looks like.
            Surface::Hook => vec![(&other_workspace, &ANONYMOUS)],
        };
        for (party, who) in probers {
            if !route.record_params.is_empty() {
                let own = if party.slug == "omega" {
                    &c_samples
                } else {
                    &b_samples
                };
                let changes =
                    record_params_refused(&app, route, party.slug, who, &samples, own).await;
                taken.extend(changes);
                // A path that names A's record is refused too, whatever the parameters say.
                if !route.path.contains('{') {
                    continue;
                }
            }
            let never = app
                .get(
                    party.slug,
                    &format!("{}/no-such-page", route.surface.prefix()),
                    who,
                )
                .await;
            let before_request = snapshot(app.db()).await;
            let page = app
                .request(route.method.as_str(), party.slug, &path, who)
                .await;
            let what = format!(
                "{} {} as {} of {}",
                route.method,
                path,
                route.surface.prefix(),
                party.slug
            );
            if names_records(route) {
                assert_eq!(page.status, 404, "{what}: {}", page.body);
                assert_eq!(
                    page.body, never.body,
                    "{what}: must look like a missing page"
                );
                assert_eq!(
                    snapshot(app.db()).await,
                    before_request,
                    "{what}: refused, yet changed rows"
                );
            } else if !route.is_mutating() {
                assert!(page.status < 500, "{what}: {}", page.status);
                for a_path in &a_paths {
                    assert!(
                        !page.text().contains(&format!("{a_path}\"")),
                        "{what} links to A's {a_path}"
                    );
                }
            }
        }
    }
    // What the probers did to their own data is logged under their own clients; nothing of
    // A's, not even a page view (written a moment later: flushed first). Taken away, every
    // table is as it was.
    app.state.looks.flush().await;
    let sql = "SELECT DISTINCT client_id FROM activity WHERE id > $1";
    let logged: Vec<i64> = app
        .db()
        .query_scalar(sql)
        .bind(logged_before)
        .fetch_all()
        .await
        .unwrap();
    assert!(
        logged.iter().all(|client| [b, c].contains(client)),
        "the probe logged activity of A: {logged:?}"
    );
    app.sql("DELETE FROM activity WHERE id > $1", logged_before)
        .await;
    let probers = [&same_workspace, &other_workspace];
    let changed: Vec<_> = changed_rows(&before, &snapshot(app.db()).await)
        .into_iter()
        .filter(|(table, row)| !probers_own(table, row, &probers, other_ws))
        .filter(|change| !taken.contains(change))
        .collect();
    assert!(
        changed.is_empty(),
        "the probe changed others' rows: {changed:?}"
    );
    assert!(
        routes.iter().any(|r| r.path == "/clients/{client}"),
        "the core's routes are probed too"
    );
}

/// A route whose query or body names records (`RouteInfo::record_params`), asked on the
/// prober's own path with its own records but for one of A's, each in turn: refused exactly
/// as with a record that exists nowhere, changing nothing; and with all its own records the
/// same request is taken — so a refusal was about whose record it is, not a malformed
/// request. Returns what the taken request changed (the prober's own doing).
async fn record_params_refused(
    app: &TestApp,
    route: &RouteInfo,
    slug: &str,
    who: &As,
    a_samples: &Samples,
    own: &Samples,
) -> Vec<(String, serde_json::Map<String, serde_json::Value>)> {
    let path = concrete_path(route, own);
    let own_values: Vec<String> = route
        .record_params
        .iter()
        .map(|(param, sample)| record_value(route, own, param, sample))
        .collect();
    let ask = |values: Vec<String>| {
        let path = path.clone();
        async move {
            let pairs = route.record_params.iter().map(|(p, _)| *p).zip(&values);
            let query: String = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish();
            let url = format!("{path}?{query}");
            if route.is_mutating() {
                let (content_type, body) = record_body(route, &values);
                app.send_body(route.method.as_str(), slug, &url, who, content_type, body)
                    .await
            } else {
                app.request(route.method.as_str(), slug, &url, who).await
            }
        }
    };
    for (i, (param, sample)) in route.record_params.iter().enumerate() {
        if !names_a_record(sample) {
            continue;
        }
        let with = |value: String| {
            let mut values = own_values.clone();
            values[i] = value;
            values
        };
        let what = format!("{} {path} as {slug} with A's `{param}`", route.method);
        let before = snapshot(app.db()).await;
        let foreign = ask(with(record_value(route, a_samples, param, sample))).await;
        let nowhere = ask(with("999999999".into())).await;
        assert!(
            (400..500).contains(&foreign.status),
            "{what}: {} {}",
            foreign.status,
            foreign.body
        );
        assert_eq!(
            foreign.status, nowhere.status,
            "{what}: answers as a record that exists nowhere"
        );
        assert_eq!(
            snapshot(app.db()).await,
            before,
            "{what}: refused, yet changed rows"
        );
    }
    let before = snapshot(app.db()).await;
    let taken = ask(own_values).await;
    assert!(
        taken.status < 400,
        "{} {path} as {slug} with its own records is taken: {} {}",
        route.method,
        taken.status,
        taken.body
    );
    changed_rows(&before, &snapshot(app.db()).await)
}

async fn last_activity(app: &TestApp) -> i64 {
    app.state.looks.flush().await;
    let sql = "SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM activity";
    app.db().query_scalar(sql).fetch_one().await.unwrap()
}

/// Every portal route a permission guards, asked by a colleague at the same client who holds
/// every permission but that one: the plain "does not exist" answer, and nothing changes.
/// Found in the route table, so a module's next guarded route is probed without editing this.
async fn a_colleague_without_a_permission_reaches_none_of_its_routes(backend: Backend) {
    let app = spawn_app_with(&backend, Options::default()).await;
    let ws = app.workspace("alpha", "scale").await;
    app.take_every_addon(ws, "scale").await;
    let client = app.client(ws, "Client A").await;
    let samples = app.seed_modules(ws, client).await;
    let every = app.all_permissions();
    let mut colleagues = Vec::new();
    for permission in &every {
        let others: Vec<&str> = every.iter().copied().filter(|p| p != permission).collect();
        let email = format!("{permission}@client.example");
        let (_, colleague) = app.contact(ws, client, &email, &others).await;
        colleagues.push((*permission, colleague));
    }
    let before = snapshot(app.db()).await;
    let mut probed = 0;
    for (permission, colleague) in &colleagues {
        let never = app.get("alpha", "/portal/no-such-page", colleague).await;
        for route in app
            .state
            .routes
            .iter()
            .filter(|r| r.surface == Surface::Portal && r.permission == Some(*permission))
        {
            let path = concrete_path(route, &samples);
            let page = app
                .request(route.method.as_str(), "alpha", &path, colleague)
                .await;
            let what = format!("{} {path} without {permission}", route.method);
            assert_eq!(page.status, 404, "{what}: {}", page.body);
            assert_eq!(
                page.body, never.body,
                "{what}: must look like a missing page"
            );
            probed += 1;
        }
    }
    assert_eq!(snapshot(app.db()).await, before, "nothing changed");
    let guarded = app
        .state
        .routes
        .iter()
        .filter(|r| r.surface == Surface::Portal && r.permission.is_some())
        .count();
    assert_eq!(probed, guarded, "every guarded route was probed");
}

/// Every admin and API route that changes something, asked by a member — the lowest staff
/// role — of the same workspace: never a server error, and where the answer is "not for your
/// role" (403), nothing changed (a handler must check the role before it writes). The doors
/// are left out: signing out would end the member's session for the routes after it.
async fn what_the_lowest_staff_role_is_refused_changes_nothing(backend: Backend) {
    let app = spawn_app_with(&backend, Options::default()).await;
    let ws = app.workspace("alpha", "scale").await;
    app.take_every_addon(ws, "scale").await;
    let client = app.client(ws, "Client A").await;
    let samples = app.seed_modules(ws, client).await;
    let (_, member, member_token) = app
        .staff_in_role(ws, "member@agency.example", "member")
        .await;
    let mut refused = 0;
    for route in app.state.routes.iter().filter(|r| {
        matches!(r.surface, Surface::Admin | Surface::Api)
            && r.is_mutating()
            && !r.upload
            && !r.open
    }) {
        let who = if route.surface == Surface::Api {
            &member_token
        } else {
            &member
        };
        let path = concrete_path(route, &samples);
        let before = snapshot(app.db()).await;
        let page = app
            .send_body(
                route.method.as_str(),
                "alpha",
                &path,
                who,
                "application/x-www-form-urlencoded",
                Vec::new(),
            )
            .await;
        let what = format!("{} {path} as a member", route.method);
        assert!(page.status < 500, "{what}: {} {}", page.status, page.body);
        // A route declared for admins (`Routes::requires_role`) is refused by the gate,
        // whatever the handler would have said of the (empty) request.
        if route.role.is_some() {
            assert_eq!(page.status, 403, "{what}: declared for {:?}", route.role);
        }
        if page.status == 403 {
            assert_eq!(
                snapshot(app.db()).await,
                before,
                "{what}: refused, yet changed rows"
            );
            refused += 1;
        }
    }
    // Some routes are for owners and admins only: the core's client and contact changes.
    assert!(refused > 0, "members were refused somewhere");
}
