//! Cross-site request forgery protection for the browser surfaces (`/portal`, `/admin`).
//!
//! Written here rather than taken from a crate: the axum CSRF crates either run a cookie
//! scheme of their own beside our server-side sessions or leave verification to each handler;
//! this layer checks every state-changing request centrally, so a module cannot forget to.
//!
//! - Signed in: the token is derived from the session token (a domain-separated SHA-256), so
//!   it needs no storage, cannot be computed without the HttpOnly session cookie, and changes
//!   whenever the session rotates.
//! - Signed out (sign-in, password reset, invitation forms): a random token in an HttpOnly
//!   `portico_csrf` cookie, repeated in the form (double submit), which also stops login CSRF.
//! - Every POST/PUT/PATCH/DELETE must carry the token in the `csrf_token` form field or the
//!   `X-CSRF-Token` header — or, for a file upload (`multipart/form-data`, which a plain HTML
//!   form cannot give a header and which is not read whole before its handler streams it), in
//!   the form action's `?csrf_token=` query, and a request a browser marks as cross-site (`Origin` of another
//!   host, `Sec-Fetch-Site: cross-site`) is refused outright.
use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::auth::same;
use crate::error::Error;
use crate::tenancy::Tenant;
use crate::web::session::CookieSpec;

pub const FIELD: &str = "csrf_token";
pub const HEADER: &str = "x-csrf-token";
pub const COOKIE: &str = "portico_csrf";
/// Forms are small; file uploads carry the token in the query or a header.
const FORM_LIMIT: usize = 1024 * 1024;

/// The token this request's pages must embed in their forms.
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

/// The token bound to a session.
pub fn token_for_session(session_token: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"portico-csrf\0");
    h.update(session_token.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn is_token(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn cross_site(headers: &HeaderMap) -> bool {
    if headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site")
    {
        return true;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin.split("://").nth(1).unwrap_or("");
    !origin_host.eq_ignore_ascii_case(host)
}

fn refused() -> Response {
    Error::Forbidden(
        "This form has expired or was sent from another site. Go back, reload the page and try again."
            .into(),
    )
    .into_response()
}

/// The layer; `session_cookie` gives the surface's session cookie (see `CookieSpec`),
/// `signed_in` tells whether the session layer found someone, `secure` whether cookies get
/// their TLS names.
pub async fn protect(
    session_cookie: fn(&Tenant, bool) -> CookieSpec,
    secure: bool,
    signed_in: fn(&Request) -> bool,
    mut req: Request,
    next: Next,
) -> Response {
    let Some(tenant) = req.extensions().get::<Arc<Tenant>>().cloned() else {
        return Error::NotFound.into_response();
    };
    let own = CookieSpec::new(COOKIE, "/", &tenant, secure);
    let session = session_cookie(&tenant, secure)
        .read(req.headers())
        .filter(|_| signed_in(&req));
    let existing = own.read(req.headers()).filter(|t| is_token(t));
    let (expected, new_cookie) = match (&session, &existing) {
        (Some(token), _) => (token_for_session(token), None),
        (None, Some(token)) => (token.clone(), None),
        (None, None) => {
            let token = random_token();
            (token.clone(), Some(token))
        }
    };
    let mutating = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if mutating {
        if cross_site(req.headers()) || (session.is_none() && existing.is_none()) {
            return refused();
        }
        let from_header = req
            .headers()
            .get(HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let provided = match from_header {
            Some(t) => Some(t),
            None => {
                let content_type = req
                    .headers()
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                let is_form = content_type.starts_with("application/x-www-form-urlencoded");
                if content_type.starts_with("multipart/form-data") {
                    req.uri().query().and_then(|q| {
                        form_urlencoded::parse(q.as_bytes())
                            .find(|(k, _)| k == FIELD)
                            .map(|(_, v)| v.into_owned())
                    })
                } else if is_form {
                    let (parts, body) = req.into_parts();
                    let Ok(bytes) = axum::body::to_bytes(body, FORM_LIMIT).await else {
                        return Error::BadRequest("The form is too large.".into()).into_response();
                    };
                    let field = form_urlencoded::parse(&bytes)
                        .find(|(k, _)| k == FIELD)
                        .map(|(_, v)| v.into_owned());
                    req = Request::from_parts(parts, Body::from(bytes));
                    field
                } else {
                    None
                }
            }
        };
        if !provided.is_some_and(|p| same(&p, &expected)) {
            return refused();
        }
    }
    req.extensions_mut().insert(CsrfToken(expected.clone()));
    let mut res = next.run(req).await;
    res.extensions_mut().insert(CsrfToken(expected));
    // Only pages that can hold a form need the cookie: not error pages.
    let may_hold_form = res.status().is_success() || res.status() == StatusCode::UNAUTHORIZED;
    if let Some(token) = new_cookie.filter(|_| may_hold_form) {
        // Until the browser closes: a form is filled in the same visit.
        res.headers_mut()
            .append(header::SET_COOKIE, own.set(&token, None));
    }
    res
}
