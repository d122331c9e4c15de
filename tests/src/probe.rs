//! What the isolation and hostile-input probes send to every declared route: each module's
//! seeded records ([`TestApp::seed_modules`]) and the paths, queries and bodies built from
//! them.
use portal_core::web::session;

use crate::TestApp;

/// Route parameters per module: what each module's `seed` returned for one client.
pub type Samples = std::collections::BTreeMap<&'static str, Vec<(&'static str, String)>>;

impl TestApp {
    /// Seeds every running module's example records for one client, and a contact of the
    /// client for routes that take the core's `{contact}`; the core's routes get samples of
    /// their own records under [`portal_core::module::CORE`] (see [`TestApp::seed_core`]).
    pub async fn seed_modules(&self, workspace_id: i64, client_id: i64) -> Samples {
        let email = format!("seeded-{client_id}@example.test");
        let contact = portal_core::clients::create_contact(
            self.db(),
            workspace_id,
            client_id,
            &email,
            "Seeded",
        )
        .await
        .unwrap();
        let mut out = Samples::new();
        for m in self.state.registry.modules() {
            let mut params = m.seed(&self.state, workspace_id, client_id).await.unwrap();
            params.push(("contact", contact.to_string()));
            out.insert(m.id(), params);
        }
        let core = self.seed_core(workspace_id, client_id, contact).await;
        out.insert(portal_core::module::CORE, core);
        out
    }

    /// One of each record the core's routes name, belonging to `client` and its `contact`:
    /// a file shared with the client, a notification, a second session, a staff member's API
    /// token, a colleague on the team (a member, so any prober may be allowed to change them). `{link}` is a secret the visitor brings; the sample is one never issued.
    async fn seed_core(
        &self,
        workspace_id: i64,
        client_id: i64,
        contact: i64,
    ) -> Vec<(&'static str, String)> {
        let up = portal_core::files::upload::Upload {
            workspace_id,
            client_id: Some(client_id),
            name: "brief.pdf",
            declared: Some("application/pdf"),
            uploaded_by: "seed",
            max_bytes: 1 << 20,
            quota: None,
            cap: None,
        };
        let file = portal_core::files::upload::store_bytes(
            &self.state.db,
            &self.state.files,
            &up,
            b"%PDF-1.4\n%%EOF\n".to_vec(),
        )
        .await
        .unwrap();
        let sql = "INSERT INTO notifications (workspace_id, client_id, contact_id, kind, title, link, created_at) \
                   VALUES ($1, $2, $3, 'reply', 'A reply from the team', '/', 0) RETURNING id";
        let notification: i64 = self
            .db()
            .query_scalar(sql)
            .bind(workspace_id)
            .bind(client_id)
            .bind(contact)
            .fetch_one()
            .await
            .unwrap();
        let token =
            session::create_portal_session(&self.state, workspace_id, contact, &Default::default())
                .await
                .unwrap();
        let email = format!("seeded-staff-{client_id}@agency.test");
        let staff = portal_core::clients::create_staff_user(
            self.db(),
            workspace_id,
            &email,
            "Seeded",
            "owner",
        )
        .await
        .unwrap();
        let api_token = session::create_api_token(self.db(), workspace_id, staff, "seeded", 90)
            .await
            .unwrap();
        let colleague = portal_core::clients::create_staff_user(
            self.db(),
            workspace_id,
            &format!("seeded-colleague-{client_id}@agency.test"),
            "Seeded colleague",
            "member",
        )
        .await
        .unwrap();
        let handle = |token: &str| session::handle_of(&session::hash_token(token));
        vec![
            ("staff", colleague.to_string()),
            ("client", client_id.to_string()),
            ("contact", contact.to_string()),
            ("file", file.id.to_string()),
            ("notification", notification.to_string()),
            ("session", handle(&token)),
            ("api_token", handle(&api_token)),
            ("link", "never-issued-link-0000000000000000".into()),
        ]
    }
}

/// The value a route's declared record parameter takes from `samples`: the route's own
/// module's sample, another module's (`"projects.id"`, `"core.client"`), a workspace record
/// the request needs (`"context:type"`), or a fixed value (`"=EUR"`). Panics, naming the route, if none is seeded.
pub fn record_value(
    route: &portal_core::module::RouteInfo,
    samples: &Samples,
    param: &str,
    sample: &str,
) -> String {
    if let Some(fixed) = sample.strip_prefix('=') {
        return fixed.to_string();
    }
    let sample = sample.strip_prefix(CONTEXT).unwrap_or(sample);
    let (module, name) = sample.split_once('.').unwrap_or((route.module, sample));
    samples
        .get(module)
        .and_then(|params| params.iter().find(|(n, _)| *n == name))
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| {
            panic!(
                "module `{}` uses `{param}` on {} {} but no `seed` returns `{sample}`",
                route.module, route.method, route.path
            )
        })
}

/// Marks a declared parameter whose record is the workspace's, offered to every client (a
/// meeting type, a feedback category): the probe fills it with the caller's own and never
/// swaps in another client's.
const CONTEXT: &str = "context:";

/// Whether a declared parameter names a client's record (rather than a fixed value or the
/// workspace's context).
pub fn names_a_record(sample: &str) -> bool {
    !sample.starts_with('=') && !sample.starts_with(CONTEXT)
}

/// The route's declared record parameters (`RouteInfo::record_params`) as a query string
/// filled from the samples: `?type=3&move=7`, or nothing.
pub fn record_query(route: &portal_core::module::RouteInfo, samples: &Samples) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (param, sample) in route.record_params {
        form.append_pair(param, &record_value(route, samples, param, sample));
    }
    let query = form.finish();
    if query.is_empty() {
        query
    } else {
        format!("?{query}")
    }
}

const BOUNDARY: &str = "portico-record-probe";
const MULTIPART: &str = "multipart/form-data; boundary=portico-record-probe";

/// The route's declared record parameters as the body a client would send: a form on the
/// browser surfaces (multipart on an upload route), a JSON object on the API (numbers as numbers, an `…_ids` parameter as a
/// list of one). `values` gives each parameter's value, in declaration order.
pub fn record_body(
    route: &portal_core::module::RouteInfo,
    values: &[String],
) -> (&'static str, Vec<u8>) {
    let pairs = route.record_params.iter().map(|(p, _)| *p).zip(values);
    if route.upload {
        let mut body = Vec::new();
        for (param, value) in pairs {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{param}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        return (MULTIPART, body);
    }
    if route.surface == portal_core::module::Surface::Api {
        let object: serde_json::Map<String, serde_json::Value> = pairs
            .map(|(param, value)| {
                let one = match value.parse::<i64>() {
                    Ok(n) => serde_json::Value::from(n),
                    Err(_) => serde_json::Value::from(value.as_str()),
                };
                let v = if param.ends_with("_ids") {
                    serde_json::Value::Array(vec![one])
                } else {
                    one
                };
                (param.to_string(), v)
            })
            .collect();
        ("application/json", serde_json::to_vec(&object).unwrap())
    } else {
        let mut form = form_urlencoded::Serializer::new(String::new());
        for (param, value) in pairs {
            form.append_pair(param, value);
        }
        (
            "application/x-www-form-urlencoded",
            form.finish().into_bytes(),
        )
    }
}

/// The route's path on its surface (`/portal/projects/17`), with every `{param}` filled from
/// what the route's module seeded. Panics, naming the module, if the seed lacks a parameter.
pub fn concrete_path(route: &portal_core::module::RouteInfo, samples: &Samples) -> String {
    let mut out = route.surface.prefix().to_string();
    for seg in route.path.split('/').skip(1) {
        out.push('/');
        match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            // A `{param}` is filled from the route's own module's sample of that name.
            Some(name) => out.push_str(&record_value(route, samples, name, name)),
            None => out.push_str(seg),
        }
    }
    out
}
