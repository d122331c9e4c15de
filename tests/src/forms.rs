//! Forms sent as a browser sends them, with their CSRF token: one-off posts for a signed-out
//! or signed-in visitor, and a [`Browser`] that keeps its cookies across pages.
use portal_core::web::session::{PORTAL_COOKIE, STAFF_COOKIE};

use crate::page::cookie_value;
use crate::{As, Page, TestApp};

impl TestApp {
    /// What a signed-out browser does with a form: opens the page at `page` (getting its CSRF
    /// cookie), then posts `fields` with that token to `action` (both below `/w/{slug}`).
    pub async fn fill_in(
        &self,
        slug: &str,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Page {
        let form = self.get(slug, page, &As::Anonymous).await;
        // Error pages set no CSRF cookie; a browser holds the one an earlier page of the
        // workspace set (it is scoped to the workspace, not to one page).
        let csrf = match cookie_value(&form, portal_core::web::csrf::COOKIE) {
            Some(csrf) => csrf,
            None => {
                let earlier = self.get(slug, "/portal/sign-in", &As::Anonymous).await;
                cookie_value(&earlier, portal_core::web::csrf::COOKIE).unwrap()
            }
        };
        self.post_form(slug, action, &csrf, fields).await
    }

    /// A signed-out browser posting a form to `action` (below `/w/{slug}`) with the CSRF
    /// cookie `csrf` it was given earlier.
    pub async fn post_form(
        &self,
        slug: &str,
        action: &str,
        csrf: &str,
        fields: &[(&str, &str)],
    ) -> Page {
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("csrf_token", csrf)
            .extend_pairs(fields)
            .finish();
        let cookie = format!("{}={csrf}", portal_core::web::csrf::COOKIE);
        let headers = [
            ("cookie", cookie.as_str()),
            ("content-type", "application/x-www-form-urlencoded"),
        ];
        self.request_raw("POST", &format!("/w/{slug}{action}"), &headers, Some(body))
            .await
    }
}

impl TestApp {
    /// Any body, sent as `who` would send it: a browser session's cookie (with its CSRF token
    /// ahead of a form's fields), an API token, or nothing — for bodies no helper would build.
    pub async fn send_body(
        &self,
        method: &str,
        slug: &str,
        path: &str,
        who: &As,
        content_type: &str,
        body: Vec<u8>,
    ) -> Page {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        // A connection of its own: a server may close one whose body a handler did not read,
        // and a pooled connection reused at that moment fails on the client's side.
        let mut req = self
            .unpooled
            .request(method, format!("{}/w/{slug}{path}", self.url))
            .header("content-type", content_type);
        let mut body = body;
        match who {
            As::Contact(t) | As::Staff(t) => {
                let cookie = if matches!(who, As::Contact(_)) {
                    PORTAL_COOKIE
                } else {
                    STAFF_COOKIE
                };
                req = req.header("cookie", format!("{cookie}={t}"));
                let token = portal_core::web::csrf::token_for_session(t);
                if content_type.starts_with("application/x-www-form-urlencoded") {
                    let mut form = format!("csrf_token={token}&").into_bytes();
                    form.extend_from_slice(&body);
                    body = form;
                } else {
                    req = req.header("x-csrf-token", token);
                }
            }
            As::Bearer(t) => req = req.bearer_auth(t),
            As::Anonymous => {}
        }
        Page::read(req.body(body)).await
    }

    /// A signed-in browser posting a form: its session cookie, its CSRF token, these fields.
    pub async fn submit(&self, slug: &str, path: &str, who: &As, fields: &[(&str, &str)]) -> Page {
        let (cookie, token) = match who {
            As::Contact(t) => (format!("{PORTAL_COOKIE}={t}"), t),
            As::Staff(t) => (format!("{STAFF_COOKIE}={t}"), t),
            other => panic!("submit needs a browser session, not {other:?}"),
        };
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair(
                "csrf_token",
                &portal_core::web::csrf::token_for_session(token),
            )
            .extend_pairs(fields)
            .finish();
        let headers = [
            ("cookie", cookie.as_str()),
            ("content-type", "application/x-www-form-urlencoded"),
        ];
        self.request_raw("POST", &format!("/w/{slug}{path}"), &headers, Some(body))
            .await
    }
}

/// A browser on one workspace: keeps the cookies it is given (by name; tests stay on one
/// workspace's paths) and submits forms with the CSRF token of the last page it opened.
pub struct Browser<'a> {
    app: &'a TestApp,
    slug: String,
    jar: std::sync::Mutex<std::collections::BTreeMap<String, String>>,
    last_csrf: std::sync::Mutex<Option<String>>,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp, slug: &str) -> Browser<'a> {
        Browser {
            app,
            slug: slug.into(),
            jar: Default::default(),
            last_csrf: Default::default(),
        }
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.jar.lock().unwrap().get(name).cloned()
    }

    fn keep(&self, page: &Page) {
        let mut jar = self.jar.lock().unwrap();
        for v in page
            .headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
        {
            let Some((name, rest)) = v.split_once('=') else {
                continue;
            };
            let value = rest.split(';').next().unwrap_or("");
            if v.contains("Max-Age=0") {
                jar.remove(name);
            } else {
                jar.insert(name.to_string(), value.to_string());
            }
        }
        if let Some(csrf) = page.csrf_field() {
            *self.last_csrf.lock().unwrap() = Some(csrf);
        }
    }

    fn cookie_header(&self) -> String {
        let jar = self.jar.lock().unwrap();
        jar.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Opens a page below `/w/{slug}`.
    pub async fn get(&self, path: &str) -> Page {
        let cookie = self.cookie_header();
        let page = self
            .app
            .request_raw(
                "GET",
                &format!("/w/{}{path}", self.slug),
                &[("cookie", &cookie)],
                None,
            )
            .await;
        self.keep(&page);
        page
    }

    /// Submits a form of the last page opened to `path`, with `fields`.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.last_csrf.lock().unwrap().clone().unwrap_or_default();
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("csrf_token", &csrf)
            .extend_pairs(fields)
            .finish();
        let cookie = self.cookie_header();
        let headers = [
            ("cookie", cookie.as_str()),
            ("content-type", "application/x-www-form-urlencoded"),
        ];
        let page = self
            .app
            .request_raw(
                "POST",
                &format!("/w/{}{path}", self.slug),
                &headers,
                Some(body),
            )
            .await;
        self.keep(&page);
        page
    }
}
