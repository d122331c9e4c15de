//! Multipart forms (uploads with their text fields), read with bounds while they stream.
//!
//! Upload routes carry no body-size limit of their own (a file may be as large as the
//! workspace allows), so nothing else stops a client from sending a text field of a few
//! gigabytes and waiting for the server to buffer it. Every multipart handler reads through
//! [`UploadForm`] instead of axum's `Multipart`: the whole request is capped at what the
//! largest allowed upload could need, a text part is refused (413) the moment it passes
//! [`MAX_TEXT_PART`], and the number of parts is capped too. Files still stream to storage
//! under their own per-file and quota limits (`files::upload::store`).
use axum::body::{Body, Bytes};
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{FromRef, FromRequest, Multipart, Request};
use futures_util::{Stream, TryStreamExt};

use crate::app::AppState;
use crate::error::{Error, Result};

/// The most one text part may hold: far more than the longest message any form takes.
pub const MAX_TEXT_PART: usize = 256 * 1024;
/// The most all text parts of one form may hold together.
pub const MAX_TEXT_TOTAL: usize = 1024 * 1024;
/// The most parts (text and files) one form may have.
pub const MAX_PARTS: usize = 64;
/// After refusing a form, up to this much more of it is read and dropped while the answer
/// goes out, so a browser still sending gets the 413 page instead of a reset connection;
/// past it (or after [`DRAIN_FOR`]) the connection is simply closed.
pub const DRAIN_MAX: usize = 64 * 1024 * 1024;
pub const DRAIN_FOR: std::time::Duration = std::time::Duration::from_secs(10);
/// The most files one request may carry; the whole body is capped at this many of the
/// deployment's largest file, plus the text.
pub const MAX_FILES_PER_REQUEST: usize = 20;

/// A multipart form whose reading cannot exhaust memory.
pub struct UploadForm {
    /// `None` only once dropped.
    inner: Option<Multipart>,
    budget: Budget,
}

/// What the form has used so far.
struct Budget {
    parts: usize,
    text: usize,
    /// A bound was passed: the rest of the body is drained when the form is dropped.
    refused: bool,
}

/// One part of the form: a text field or a file.
pub struct Part<'a> {
    field: Field<'a>,
    budget: &'a mut Budget,
}

fn unreadable(e: MultipartError) -> Error {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        Error::PayloadTooLarge(
            "The form is larger than this portal accepts in one go; nothing was stored. Send fewer or smaller files."
                .into(),
        )
    } else {
        Error::BadRequest(format!("The form could not be read: {}", e.body_text()))
    }
}

impl<S> FromRequest<S> for UploadForm
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self> {
        let state = AppState::from_ref(state);
        let largest = (state.config.max_file_mb as usize).saturating_mul(1024 * 1024);
        let limit = largest
            .saturating_mul(MAX_FILES_PER_REQUEST)
            .saturating_add(MAX_TEXT_TOTAL + 64 * 1024);
        let req = req.map(|body| Body::new(http_body_util::Limited::new(body, limit)));
        let inner = Multipart::from_request(req, &()).await.map_err(|e| {
            Error::BadRequest(format!("The form could not be read: {}", e.body_text()))
        })?;
        Ok(UploadForm {
            inner: Some(inner),
            budget: Budget {
                parts: 0,
                text: 0,
                refused: false,
            },
        })
    }
}

impl UploadForm {
    /// The next part, or `None` at the end; a form with too many parts is refused.
    pub async fn next(&mut self) -> Result<Option<Part<'_>>> {
        let UploadForm { inner, budget } = self;
        let Some(inner) = inner.as_mut() else {
            return Ok(None);
        };
        let Some(field) = inner.next_field().await.map_err(unreadable)? else {
            return Ok(None);
        };
        budget.parts += 1;
        if budget.parts > MAX_PARTS {
            budget.refused = true;
            return Err(Error::PayloadTooLarge(format!(
                "The form has more than {MAX_PARTS} parts; nothing was stored."
            )));
        }
        Ok(Some(Part { field, budget }))
    }
}

impl Drop for UploadForm {
    /// A refused form's sender is usually still sending: read on (and drop) what comes, within
    /// [`DRAIN_MAX`] and [`DRAIN_FOR`], while the answer is written, so it reaches them.
    fn drop(&mut self) {
        let (true, Some(mut form)) = (self.budget.refused, self.inner.take()) else {
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        runtime.spawn(async move {
            let _ = tokio::time::timeout(DRAIN_FOR, async {
                let mut seen = 0usize;
                while let Ok(Some(mut field)) = form.next_field().await {
                    while let Ok(Some(chunk)) = field.chunk().await {
                        seen += chunk.len();
                        if seen > DRAIN_MAX {
                            return;
                        }
                    }
                }
            })
            .await;
        });
    }
}

impl<'a> Part<'a> {
    /// The form field's name.
    pub fn name(&self) -> Option<&str> {
        self.field.name()
    }

    /// The file's name, for a file part (empty for a file input left empty).
    pub fn file_name(&self) -> Option<&str> {
        self.field.file_name()
    }

    /// The type the browser declared for a file part.
    pub fn content_type(&self) -> Option<&str> {
        self.field.content_type()
    }

    /// The part as text, read chunk by chunk and refused (413) as soon as it passes
    /// [`MAX_TEXT_PART`] or the form's text passes [`MAX_TEXT_TOTAL`]; invalid UTF-8 is a 400.
    pub async fn text(mut self) -> Result<String> {
        let mut buf: Vec<u8> = Vec::new();
        while let Some(chunk) = self.field.chunk().await.map_err(unreadable)? {
            self.budget.text += chunk.len();
            if buf.len() + chunk.len() > MAX_TEXT_PART || self.budget.text > MAX_TEXT_TOTAL {
                let name: String = self.field.name().unwrap_or("?").chars().take(40).collect();
                self.budget.refused = true;
                return Err(Error::PayloadTooLarge(format!(
                    "The field “{name}” is longer than this form accepts ({} KB at most); nothing was stored.",
                    MAX_TEXT_PART / 1024
                )));
            }
            buf.extend_from_slice(&chunk);
        }
        String::from_utf8(buf)
            .map_err(|_| Error::BadRequest("A field of the form is not valid text.".into()))
    }

    /// Reads a part the handler has no use for, within the same bounds as text, and drops it.
    pub async fn skip(self) -> Result<()> {
        self.text().await.map(|_| ()).or_else(|e| match e {
            Error::BadRequest(_) => Ok(()),
            other => Err(other),
        })
    }

    /// The part's bytes as they arrive, for `files::upload::store`.
    pub fn into_stream(
        self,
    ) -> impl Stream<Item = std::result::Result<Bytes, String>> + Unpin + 'a {
        self.field.map_err(|e| e.body_text())
    }
}
