//! What the portal answered: a [`Page`] read whole, and what a reader finds in it — its text,
//! its links, its cookies, a PDF's words.
use reqwest::header::HeaderMap;

/// A response, read whole.
#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    /// Sends the request and reads the whole answer.
    pub(crate) async fn read(req: reqwest::RequestBuilder) -> Page {
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let body = res.text().await.unwrap();
        Page {
            status,
            headers,
            body,
        }
    }

    /// The value of the first `<input name="csrf_token">` on the page, as a browser would
    /// submit it.
    pub fn csrf_field(&self) -> Option<String> {
        let at = self.body.find(r#"name="csrf_token" value=""#)?;
        let rest = &self.body[at + r#"name="csrf_token" value=""#.len()..];
        Some(rest[..rest.find('"')?].to_string())
    }

    /// The number on the portal menu's Notifications link, if any.
    pub fn unread_badge(&self) -> Option<String> {
        let start = self.body.find("class=\"bell\"")?;
        let rest = &self.body[start..];
        let end = rest.find("</a>")?;
        let link = &rest[..end];
        let count = link.split("class=\"count\">").nth(1)?;
        Some(count.split('<').next()?.to_string())
    }

    /// The body with HTML entities decoded, for assertions about what a reader sees.
    pub fn text(&self) -> String {
        self.body
            .replace("&#x2f;", "/")
            .replace("&#x27;", "'")
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    }

    /// What a reader sees, roughly: the text without tags, whitespace collapsed — for
    /// assertions that span elements ("Last sign-in Never").
    pub fn words(&self) -> String {
        let mut out = String::with_capacity(self.body.len() / 2);
        let mut in_tag = false;
        for ch in self.text().chars() {
            match ch {
                '<' => {
                    in_tag = true;
                    out.push(' ');
                }
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

impl Page {
    /// Where a redirect points.
    pub fn location(&self) -> String {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }

    /// The number after `/{segment}/` in the redirect's target (`/admin/clients/7?done=…` → 7).
    pub fn location_id(&self, segment: &str) -> i64 {
        let location = self.location();
        let marker = format!("/{segment}/");
        let at = location
            .find(&marker)
            .unwrap_or_else(|| panic!("no /{segment}/ in {location:?}"))
            + marker.len();
        location[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap()
    }
}

/// The value a `Set-Cookie` header of the page gives `name`.
pub fn cookie_value(page: &Page, name: &str) -> Option<String> {
    page.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            v.strip_prefix(&format!("{name}="))
                .map(|rest| rest.split(';').next().unwrap_or("").to_string())
        })
}

/// The menu labels a portal page shows.
pub fn menu_labels(html: &str) -> Vec<String> {
    let Some(start) = html.find(r#"<nav class="menu""#) else {
        return Vec::new();
    };
    let nav = &html[start..];
    let nav = &nav[..nav.find("</nav>").unwrap_or(nav.len())];
    nav.split("<a ")
        .skip(1)
        .filter_map(|a| {
            let text = &a[a.find('>')? + 1..];
            Some(text[..text.find("</a>")?].to_string())
        })
        .collect()
}

/// A PDF's text as a reader sees it, page by page, each page's words joined by single spaces
/// and its table rows kept on their lines (poppler's `pdftotext -layout`): what a client
/// reading the downloaded file would read.
pub fn pdf_pages(bytes: &[u8]) -> Vec<String> {
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("file.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    text.split('\x0c')
        .filter(|page| !page.trim().is_empty())
        .map(|page| page.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}
