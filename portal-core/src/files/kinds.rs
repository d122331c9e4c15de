//! What a file is: read from its first bytes (`infer`), checked against what its name and the
//! browser's header claim. A contradiction is refused; a claim nothing can confirm is believed
//! only for text.
use crate::error::{Error, Result};

/// Types with a signature `infer` recognises, by the extensions that claim them.
const BINARY: &[(&str, &str)] = &[
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("webp", "image/webp"),
    ("tif", "image/tiff"),
    ("tiff", "image/tiff"),
    ("heic", "image/heif"),
    ("psd", "image/vnd.adobe.photoshop"),
    ("pdf", "application/pdf"),
    ("mp4", "video/mp4"),
    ("m4v", "video/x-m4v"),
    ("mov", "video/quicktime"),
    ("webm", "video/webm"),
    ("mp3", "audio/mpeg"),
    ("m4a", "audio/m4a"),
    ("wav", "audio/x-wav"),
    ("ogg", "audio/ogg"),
    ("zip", "application/zip"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ("doc", "application/msword"),
    ("xls", "application/vnd.ms-excel"),
    ("ppt", "application/vnd.ms-powerpoint"),
    ("gz", "application/gzip"),
];

/// Text types: no signature to read, so the content must look like text.
const TEXT: &[(&str, &str)] = &[
    ("txt", "text/plain"),
    ("md", "text/markdown"),
    ("csv", "text/csv"),
    ("json", "application/json"),
    ("svg", "image/svg+xml"),
    ("srt", "text/plain"),
    ("vtt", "text/vtt"),
];

/// Types a browser may show in the page: never HTML or SVG, which can carry script.
const INLINE: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "video/mp4",
    "video/webm",
    "video/quicktime",
    "video/x-m4v",
    "audio/mpeg",
    "audio/ogg",
    "audio/x-wav",
    "audio/m4a",
];

/// What a stored file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kind {
    pub mime: &'static str,
}

impl Kind {
    /// Whether a browser may display it inline (else it downloads).
    pub fn inline(&self) -> bool {
        INLINE.contains(&self.mime)
    }

    pub fn is_image(&self) -> bool {
        self.inline() && self.mime.starts_with("image/")
    }

    /// How a preview shows it: `image`, `pdf`, `video`, `audio` — or `download`, for every
    /// type a browser may not show safely (the `portal/file_stage.html` partial draws each).
    pub fn shown_as(&self) -> &'static str {
        if !self.inline() {
            "download"
        } else if self.is_image() {
            "image"
        } else if self.mime == "application/pdf" {
            "pdf"
        } else if self.mime.starts_with("video/") {
            "video"
        } else {
            "audio"
        }
    }

    /// The kind of a stored type.
    pub fn of(content_type: &str) -> Kind {
        Kind {
            mime: known(content_type),
        }
    }
}

/// A stored type as one of the known ones; anything else is served as opaque bytes.
pub fn known(mime: &str) -> &'static str {
    BINARY
        .iter()
        .chain(TEXT)
        .map(|(_, m)| *m)
        .chain(["text/plain", "application/octet-stream"])
        .find(|m| *m == mime)
        .unwrap_or("application/octet-stream")
}

fn extension(name: &str) -> Option<String> {
    let (_, ext) = name.rsplit_once('.')?;
    Some(ext.to_ascii_lowercase())
}

fn by_extension(name: &str) -> Option<&'static str> {
    let ext = extension(name)?;
    BINARY
        .iter()
        .chain(TEXT)
        .find(|(e, _)| *e == ext)
        .map(|(_, m)| *m)
}

fn label(mime: &str) -> &str {
    BINARY
        .iter()
        .chain(TEXT)
        .find(|(_, m)| *m == mime)
        .map(|(e, _)| *e)
        .unwrap_or(mime)
}

fn looks_like_text(head: &[u8]) -> bool {
    // The sniffed head may end inside a multi-byte character: only the tail may be cut.
    let valid = match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    };
    valid && !head.contains(&0)
}

/// The type of a file from its first bytes (`head`, a few KiB), its name and the type the
/// browser declared. Refuses a file whose content contradicts its name or declared type.
pub fn detect(name: &str, declared: Option<&str>, head: &[u8]) -> Result<Kind> {
    let declared = declared
        .map(|d| {
            d.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .filter(|d| !d.is_empty() && d != "application/octet-stream");
    let claimed_by_name = by_extension(name);
    let found = infer::get(head).map(|t| t.mime_type());
    let refuse = |what: &str| {
        Error::BadRequest(format!(
            "“{}” is not what it says it is: {what}. Check the file, or rename it to match what it contains.",
            name.chars().take(120).collect::<String>()
        ))
    };
    if let Some(found) = found {
        let kind = BINARY
            .iter()
            .map(|(_, m)| *m)
            .find(|m| *m == found)
            .unwrap_or("application/octet-stream");
        if let Some(claimed) = claimed_by_name {
            if !same_kind(claimed, found) {
                return Err(refuse(&format!(
                    "its name says {} but the content is {}",
                    label(claimed),
                    label(found)
                )));
            }
        }
        if let Some(d) = &declared {
            if !same_kind(d, found) && !d.starts_with("text/") {
                return Err(refuse(&format!(
                    "it was sent as {d} but the content is {}",
                    label(found)
                )));
            }
        }
        return Ok(Kind {
            mime: if kind == "application/octet-stream" {
                claimed_by_name.unwrap_or(kind)
            } else {
                kind
            },
        });
    }
    // Nothing recognisable in the bytes: only text may be believed.
    if let Some(claimed) = claimed_by_name {
        if BINARY.iter().any(|(_, m)| *m == claimed) {
            return Err(refuse(&format!(
                "its name says {} but the content is not one",
                label(claimed)
            )));
        }
        if !looks_like_text(head) {
            return Err(refuse(&format!(
                "its name says {} but the content is not text",
                label(claimed)
            )));
        }
        return Ok(Kind { mime: claimed });
    }
    Ok(Kind {
        mime: if looks_like_text(head) {
            "text/plain"
        } else {
            "application/octet-stream"
        },
    })
}

/// Whether a claimed type and the type found are the same thing (Office documents are zip
/// files inside; a JPEG has several names).
fn same_kind(claimed: &str, found: &str) -> bool {
    claimed == found
        || (found == "application/zip" && claimed.starts_with("application/vnd.openxmlformats"))
        || (claimed == "application/zip" && found.starts_with("application/vnd.openxmlformats"))
        || (claimed == "image/jpg" && found == "image/jpeg")
        || (claimed.starts_with("audio/")
            && found.starts_with("audio/")
            && claimed.contains("wav")
            && found.contains("wav"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13];
    const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n";

    #[test]
    fn the_content_decides_and_contradictions_are_refused() {
        assert_eq!(
            detect("logo.png", Some("image/png"), PNG).unwrap().mime,
            "image/png"
        );
        assert_eq!(
            detect("brief.pdf", None, PDF).unwrap().mime,
            "application/pdf"
        );
        assert!(detect("brief.pdf", None, PNG).is_err(), "a PNG named .pdf");
        assert!(
            detect("logo.png", None, b"hello").is_err(),
            "text named .png"
        );
        assert!(
            detect("photo", Some("application/pdf"), PNG).is_err(),
            "declared PDF"
        );
        assert_eq!(
            detect("notes.txt", Some("text/plain"), b"hello")
                .unwrap()
                .mime,
            "text/plain"
        );
        assert!(
            detect("notes.txt", None, b"\x00\x01\x02").is_err(),
            "binary named .txt"
        );
        assert_eq!(
            detect("README", None, b"plain words").unwrap().mime,
            "text/plain"
        );
        assert_eq!(
            detect("blob", None, b"\x00\x9f\x92\x96").unwrap().mime,
            "application/octet-stream"
        );
    }

    #[test]
    fn only_safe_types_show_inline() {
        assert!(Kind { mime: "image/png" }.inline());
        assert!(Kind {
            mime: "application/pdf"
        }
        .inline());
        assert!(!Kind {
            mime: "image/svg+xml"
        }
        .inline());
        assert!(!Kind { mime: "text/plain" }.inline());
    }
}
