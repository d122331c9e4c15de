//! Requests to the portal as a given visitor ([`As`]): pages, uploads, raw requests, API
//! calls.
use portal_core::web::session::{PORTAL_COOKIE, STAFF_COOKIE};
use reqwest::header::HeaderMap;

use crate::{Page, TestApp};

/// Who is asking.
#[derive(Clone, Debug)]
pub enum As {
    Anonymous,
    /// A portal session token.
    Contact(String),
    /// A staff session token (admin surface).
    Staff(String),
    /// An API bearer token.
    Bearer(String),
}

impl TestApp {
    /// A request to `path` on workspace `slug` via the `/w/{slug}` fallback.
    pub async fn request(&self, method: &str, slug: &str, path: &str, who: &As) -> Page {
        self.request_host(method, None, &format!("/w/{slug}{path}"), who)
            .await
    }

    pub async fn get(&self, slug: &str, path: &str, who: &As) -> Page {
        self.request("GET", slug, path, who).await
    }

    pub async fn post(&self, slug: &str, path: &str, who: &As) -> Page {
        self.request("POST", slug, path, who).await
    }

    /// A file upload to `path` (a staff or contact page's form action, without its
    /// `?csrf_token=`, which this adds as the browser's form would): each part is a `file`
    /// field with its name, declared type and content.
    pub async fn upload(
        &self,
        slug: &str,
        path: &str,
        who: &As,
        parts: &[(&str, &str, &[u8])],
    ) -> Page {
        self.upload_form(slug, path, who, &[], parts).await
    }

    /// A multipart form as a browser sends it: the text `fields` first, then the `file`
    /// parts (name, declared type, bytes); the CSRF token in the action's query.
    pub async fn upload_form(
        &self,
        slug: &str,
        path: &str,
        who: &As,
        fields: &[(&str, &str)],
        parts: &[(&str, &str, &[u8])],
    ) -> Page {
        let boundary = "----portico-test-boundary-7f3a";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        for (name, declared, data) in parts {
            body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: {declared}\r\n\r\n").as_bytes());
            body.extend_from_slice(data);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let (cookie, token) = match who {
            As::Contact(t) => (
                format!("{PORTAL_COOKIE}={t}"),
                portal_core::web::csrf::token_for_session(t),
            ),
            As::Staff(t) => (
                format!("{STAFF_COOKIE}={t}"),
                portal_core::web::csrf::token_for_session(t),
            ),
            _ => (String::new(), String::new()),
        };
        let mut req = self
            .http
            .post(format!("{}/w/{slug}{path}?csrf_token={token}", self.url))
            .header("cookie", cookie);
        if let As::Bearer(t) = who {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let req = req
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        Page::read(req).await
    }

    /// A multipart form whose one text field `name` holds `size` bytes, generated while it is
    /// sent so this process never holds it; the answer's status and text. For proving that
    /// the server refuses such a field without buffering it.
    pub async fn post_huge_field(
        &self,
        slug: &str,
        path: &str,
        who: &As,
        name: &str,
        size: usize,
    ) -> (u16, String) {
        let boundary = "----portico-huge-field";
        let head =
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n");
        let tail = format!("\r\n--{boundary}--\r\n");
        const CHUNK: usize = 64 * 1024;
        let filler = bytes_of(CHUNK);
        let chunks = size.div_ceil(CHUNK);
        let parts = std::iter::once(head.into_bytes())
            .chain((0..chunks).map(move |_| filler.clone()))
            .chain(std::iter::once(tail.into_bytes()))
            .map(Ok::<_, std::io::Error>);
        let token = match who {
            As::Contact(t) | As::Staff(t) => portal_core::web::csrf::token_for_session(t),
            _ => String::new(),
        };
        let mut req = self
            .http
            .post(format!("{}/w/{slug}{path}?csrf_token={token}", self.url))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
                parts,
            )));
        req = match who {
            As::Contact(t) => req.header("cookie", format!("{PORTAL_COOKIE}={t}")),
            As::Staff(t) => req.header("cookie", format!("{STAFF_COOKIE}={t}")),
            As::Bearer(t) => req.header("authorization", format!("Bearer {t}")),
            As::Anonymous => req,
        };
        match req.send().await {
            Ok(res) => {
                let status = res.status().as_u16();
                (status, res.text().await.unwrap_or_default())
            }
            Err(e) => panic!("the server broke off instead of answering: {e:?}"),
        }
    }

    /// A GET of `path` on workspace `slug`, signed in as `who`, not yet sent.
    fn get_as(&self, slug: &str, path: &str, who: &As) -> reqwest::RequestBuilder {
        let req = self.http.get(format!("{}/w/{slug}{path}", self.url));
        match who {
            As::Contact(t) => req.header("cookie", format!("{PORTAL_COOKIE}={t}")),
            As::Staff(t) => req.header("cookie", format!("{STAFF_COOKIE}={t}")),
            As::Bearer(t) => req.header("authorization", format!("Bearer {t}")),
            As::Anonymous => req,
        }
    }

    /// A GET with extra headers (`Range`, `If-None-Match`).
    pub async fn get_with(
        &self,
        slug: &str,
        path: &str,
        who: &As,
        headers: &[(&str, &str)],
    ) -> Page {
        let mut req = self.get_as(slug, path, who);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        Page::read(req).await
    }

    /// A GET whose answer is bytes (an archive, an image): status, headers, body.
    pub async fn get_bytes(&self, slug: &str, path: &str, who: &As) -> (u16, HeaderMap, Vec<u8>) {
        let res = self.get_as(slug, path, who).send().await.unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        (status, headers, res.bytes().await.unwrap().to_vec())
    }

    /// A request with an explicit `Host` header (or none) to a raw path.
    pub async fn request_host(
        &self,
        method: &str,
        host: Option<&str>,
        path: &str,
        who: &As,
    ) -> Page {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self
            .http
            .request(method.clone(), format!("{}{path}", self.url));
        if let Some(host) = host {
            req = req.header("host", host);
        }
        let mutating = !matches!(method, reqwest::Method::GET | reqwest::Method::HEAD);
        req = match who {
            As::Anonymous => req,
            As::Contact(t) => req.header("cookie", format!("{PORTAL_COOKIE}={t}")),
            As::Staff(t) => req.header("cookie", format!("{STAFF_COOKIE}={t}")),
            As::Bearer(t) => req.header("authorization", format!("Bearer {t}")),
        };
        // A browser session's forms carry its CSRF token; the protection itself is tested
        // with hand-made requests.
        if let (true, As::Contact(t) | As::Staff(t)) = (mutating, who) {
            let token = portal_core::web::csrf::token_for_session(t);
            req = req.header(portal_core::web::csrf::HEADER, token);
        }
        Page::read(req).await
    }

    /// A hand-made request: exactly these headers and this body, nothing added.
    pub async fn request_raw(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<String>,
    ) -> Page {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.http.request(method, format!("{}{path}", self.url));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(body) = body {
            req = req.body(body);
        }
        Page::read(req).await
    }

    /// A JSON body POSTed to the API of workspace `slug` with a bearer token.
    pub async fn post_json(
        &self,
        slug: &str,
        path: &str,
        who: &As,
        body: &serde_json::Value,
    ) -> Page {
        assert!(
            matches!(who, As::Bearer(_)),
            "the API takes a bearer token, not {who:?}"
        );
        let body = body.to_string().into_bytes();
        self.send_body("POST", slug, path, who, "application/json", body)
            .await
    }
}

fn bytes_of(n: usize) -> Vec<u8> {
    vec![b'a'; n]
}

/// The start of a PNG: enough for the file store to know it as one.
pub const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, b'I', b'H', b'D', b'R',
];
