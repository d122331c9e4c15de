//! Serving a stored file: streamed, with its name in `Content-Disposition`, `nosniff`, a
//! private cache (a file's content never changes under its key, so its id is its ETag) and
//! single byte ranges (`206`), so a video preview can seek. Only types a browser shows safely
//! are inline; everything else downloads.
use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::TryStreamExt;
use object_store::{GetOptions, GetRange};

use crate::app::AppState;
use crate::error::{Error, Result};
use crate::files::{storage, Kind, StoredFile};

/// The policy of a served file: nothing may run, only this origin may frame it (the preview
/// page shows a PDF in a frame); the browser's own image, video and PDF viewers may draw.
const FILE_CSP: &str = "default-src 'none'; img-src 'self'; media-src 'self'; \
                        style-src 'unsafe-inline'; object-src 'self'; frame-ancestors 'self'";

/// A download link's query: `?download=1` makes it an attachment even for a type the
/// browser could show.
#[derive(serde::Deserialize, Default)]
pub struct DownloadQuery {
    #[serde(default)]
    download: String,
}

impl DownloadQuery {
    pub fn forced(&self) -> bool {
        !self.download.is_empty()
    }
}

/// What a `Range` header asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Wanted {
    /// No header, or one this server does not honour (several ranges, another unit).
    Whole,
    /// First and last byte, inclusive.
    Part(u64, u64),
    /// Starts past the end.
    Unsatisfiable,
}

/// The range a `Range` header asks for, within a file of `size` bytes.
pub fn requested_range(header: Option<&str>, size: u64) -> Wanted {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return Wanted::Whole;
    };
    if spec.contains(',') {
        return Wanted::Whole;
    }
    let Some((from, to)) = spec.split_once('-') else {
        return Wanted::Whole;
    };
    let (from, to) = (from.trim(), to.trim());
    let (first, last) = match (from.parse::<u64>(), to.parse::<u64>()) {
        // bytes=-N: the last N bytes.
        (Err(_), Ok(n)) if from.is_empty() => {
            if n == 0 || size == 0 {
                return Wanted::Unsatisfiable;
            }
            (size.saturating_sub(n), size - 1)
        }
        (Ok(a), Err(_)) if to.is_empty() => (a, size.saturating_sub(1)),
        (Ok(a), Ok(b)) if a <= b => (a, b.min(size.saturating_sub(1))),
        _ => return Wanted::Whole,
    };
    if first >= size {
        return Wanted::Unsatisfiable;
    }
    Wanted::Part(first, last)
}

/// A document made on request (an invoice's PDF) as a download: never cached, never sniffed
/// into another type, saved under `name`.
pub fn attachment(bytes: Vec<u8>, content_type: &'static str, name: &str) -> Result<Response> {
    let mut res = Response::new(Body::from(bytes));
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition(false, name))
            .map_err(|_| Error::Internal("not a header value".into()))?,
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(res)
}

/// `attachment; filename="brief.pdf"; filename*=UTF-8''brief.pdf` — the quoted name kept to
/// plain ASCII for old clients, the exact one percent-encoded (RFC 6266, RFC 8187).
pub(crate) fn disposition(inline: bool, name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!(
        "{}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}",
        if inline { "inline" } else { "attachment" }
    )
}

/// Whether serving `file` for this request is a download for the activity log: saved to disk
/// (asked to, or a type no page shows) rather than shown in a page, and the first request of
/// it — a player's or download manager's later ranges are the same download.
pub fn counts_as_download(file: &StoredFile, headers: &HeaderMap, forced: bool) -> bool {
    let saved = forced || Kind::of(&file.content_type).shown_as() == "download";
    let first = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|r| r.starts_with("bytes=0-"));
    saved && first
}

/// The response for `file`. `download` forces an attachment even for inline types.
pub async fn respond(
    state: &AppState,
    file: &StoredFile,
    headers: &HeaderMap,
    download: bool,
) -> Result<Response> {
    let size = file.size.max(0) as u64;
    let etag = format!("\"file-{}\"", file.id);
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
    {
        let mut res = StatusCode::NOT_MODIFIED.into_response();
        res.headers_mut().insert(header::ETAG, value(&etag)?);
        return Ok(res);
    }
    let range = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    let range = match requested_range(range, size) {
        Wanted::Whole => None,
        Wanted::Part(a, b) => Some((a, b)),
        Wanted::Unsatisfiable => {
            let mut res = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            res.headers_mut()
                .insert(header::CONTENT_RANGE, value(&format!("bytes */{size}"))?);
            return Ok(res);
        }
    };
    let options = GetOptions {
        range: range.map(|(a, b)| GetRange::Bounded(a..b + 1)),
        ..Default::default()
    };
    let key = object_store::path::Path::from(file.storage_key.as_str());
    let got = state
        .files
        .objects()
        .get_opts(&key, options)
        .await
        .map_err(|e| match e {
            object_store::Error::NotFound { .. } => Error::NotFound,
            other => storage(other),
        })?;
    let stream = got
        .into_stream()
        .map_err(|e| std::io::Error::other(e.to_string()));
    let kind = Kind {
        mime: crate::files::kinds::known(&file.content_type),
    };
    let mut res = Response::new(Body::from_stream(stream));
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, value(kind.mime)?);
    h.insert(
        header::CONTENT_DISPOSITION,
        value(&disposition(kind.inline() && !download, &file.name))?,
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    // Framed only by the portal's own preview page; no script, whatever the file holds.
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(FILE_CSP),
    );
    h.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
    h.insert(header::ETAG, value(&etag)?);
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    match range {
        Some((a, b)) => {
            *res.status_mut() = StatusCode::PARTIAL_CONTENT;
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_RANGE,
                value(&format!("bytes {a}-{b}/{size}"))?,
            );
            h.insert(header::CONTENT_LENGTH, value(&(b - a + 1).to_string())?);
        }
        None => {
            res.headers_mut()
                .insert(header::CONTENT_LENGTH, value(&size.to_string())?);
        }
    }
    Ok(res)
}

fn value(v: &str) -> Result<HeaderValue> {
    HeaderValue::from_str(v).map_err(|_| Error::Internal(format!("not a header value: {v}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_as_browsers_send_them() {
        assert_eq!(requested_range(None, 100), Wanted::Whole);
        assert_eq!(requested_range(Some("bytes=0-9"), 100), Wanted::Part(0, 9));
        assert_eq!(
            requested_range(Some("bytes=90-"), 100),
            Wanted::Part(90, 99)
        );
        assert_eq!(
            requested_range(Some("bytes=-10"), 100),
            Wanted::Part(90, 99)
        );
        assert_eq!(
            requested_range(Some("bytes=50-500"), 100),
            Wanted::Part(50, 99)
        );
        assert_eq!(
            requested_range(Some("bytes=100-"), 100),
            Wanted::Unsatisfiable
        );
        assert_eq!(requested_range(Some("bytes=0-1,5-6"), 100), Wanted::Whole);
        assert_eq!(requested_range(Some("items=0-1"), 100), Wanted::Whole);
        assert_eq!(requested_range(Some("bytes=9-1"), 100), Wanted::Whole);
    }

    #[test]
    fn names_survive_the_header() {
        assert_eq!(
            disposition(false, "brief \"v2\".pdf"),
            "attachment; filename=\"brief _v2_.pdf\"; filename*=UTF-8''brief%20%22v2%22.pdf"
        );
        assert!(disposition(true, "café.png").starts_with("inline; filename=\"caf_.png\""));
    }
}
