//! Several stored files as one zip, written while it downloads: each file streams from the
//! store into the archive and out to the browser, so nothing is buffered whole and the first
//! bytes leave at once. Entries are stored, not compressed — delivered assets (images, video,
//! PDFs, office files) are compressed already, and deflating them would cost CPU for nothing.
//!
//! A failure halfway (an object gone from the store) aborts the response instead of ending it
//! cleanly, so the browser reports a failed download rather than saving a truncated archive.
use async_zip::base::write::ZipFileWriter;
use async_zip::{Compression, ZipDateTime, ZipDateTimeBuilder, ZipEntryBuilder};
use axum::body::Body;
use axum::http::{header, HeaderValue};
use axum::response::Response;
use futures_util::io::AsyncWriteExt;
use futures_util::{stream, StreamExt, TryStreamExt};
use std::collections::HashSet;
use tokio_util::io::ReaderStream;

use crate::app::AppState;
use crate::error::{Error, Result};
use crate::files::{storage, StoredFile};

/// The most files one archive holds.
pub const MAX_FILES: usize = 500;
/// The most bytes one archive holds: below 4 GiB, so the archive needs no ZIP64 records and
/// every unzip tool opens it.
pub const MAX_BYTES: u64 = 4_000_000_000;

/// One file and where it goes in the archive (`folder/name`, or just `name`).
pub struct Entry {
    pub folder: String,
    pub file: StoredFile,
}

/// A name safe as one archive path component: no separators, no `..`, no control characters,
/// no leading dot — so unpacking cannot write outside the folder it unpacks into, whatever
/// name was uploaded.
pub fn safe_component(raw: &str) -> String {
    let cleaned: String = raw
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    // Dots and spaces off the front together, however they interleave (". .." would
    // otherwise come out as ".."), and spaces and dots off the end, which Windows drops.
    let trimmed = cleaned
        .trim_start_matches(|c: char| c == '.' || c.is_whitespace())
        .trim_end_matches(|c: char| c == '.' || c.is_whitespace());
    if trimmed.is_empty() {
        "file".to_string()
    } else {
        trimmed.chars().take(180).collect()
    }
}

/// The archive's paths for `entries`, in order: `folder/name`, made unique the way a desktop
/// does it ("logo (2).png"), case-insensitively, since the archive may unpack on a system
/// that ignores case.
pub fn paths(entries: &[Entry]) -> Vec<String> {
    let mut taken = HashSet::new();
    entries
        .iter()
        .map(|e| {
            let folder = e.folder.trim();
            let prefix = if folder.is_empty() {
                String::new()
            } else {
                format!("{}/", safe_component(folder))
            };
            let name = safe_component(&e.file.name);
            let (stem, ext) = match name.rfind('.') {
                Some(i) if i > 0 => (&name[..i], &name[i..]),
                _ => (name.as_str(), ""),
            };
            let mut path = format!("{prefix}{name}");
            let mut n = 2;
            while !taken.insert(path.to_lowercase()) {
                path = format!("{prefix}{stem} ({n}){ext}");
                n += 1;
            }
            path
        })
        .collect()
}

/// The zip of `entries` as a download named `name` (".zip" is added).
pub fn respond(state: &AppState, name: &str, entries: Vec<Entry>) -> Result<Response> {
    if entries.is_empty() {
        return Err(Error::BadRequest("Choose at least one file.".into()));
    }
    if entries.len() > MAX_FILES {
        return Err(Error::BadRequest(format!(
            "An archive holds at most {MAX_FILES} files: choose fewer."
        )));
    }
    let total: u64 = entries.iter().map(|e| e.file.size.max(0) as u64).sum();
    if total > MAX_BYTES {
        return Err(Error::BadRequest(format!(
            "These files come to {}; an archive holds at most {}. Download the largest ones one by one.",
            crate::files::human_size(total as i64),
            crate::files::human_size(MAX_BYTES as i64)
        )));
    }
    let paths = paths(&entries);
    let store = state.files.objects().clone();
    let (reader, writer) = tokio::io::duplex(64 * 1024);
    let writing = tokio::spawn(async move {
        let mut zip = ZipFileWriter::with_tokio(writer);
        for (entry, path) in entries.iter().zip(paths) {
            let key = object_store::path::Path::from(entry.file.storage_key.as_str());
            let got = store.get(&key).await.map_err(|e| storage(e).to_string())?;
            let builder = ZipEntryBuilder::new(path.into(), Compression::Stored)
                .last_modification_date(zip_time(entry.file.created_at))
                .unix_permissions(0o644);
            let mut out = zip
                .write_entry_stream(builder)
                .await
                .map_err(|e| e.to_string())?;
            let mut chunks = got.into_stream();
            while let Some(chunk) = chunks.try_next().await.map_err(|e| e.to_string())? {
                out.write_all(&chunk).await.map_err(|e| e.to_string())?;
            }
            out.close().await.map_err(|e| e.to_string())?;
        }
        zip.close().await.map_err(|e| e.to_string())?;
        Ok::<(), String>(())
    });
    // After the last byte, the writer's outcome: an error aborts the response.
    let outcome = stream::once(async move {
        match writing.await {
            Ok(Ok(())) => None,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "an archive stopped halfway");
                Some(Err(std::io::Error::other(e)))
            }
            Err(e) => Some(Err(std::io::Error::other(e.to_string()))),
        }
    })
    .filter_map(|r| async move { r });
    let body = Body::from_stream(ReaderStream::new(reader).chain(outcome));
    let mut res = Response::new(body);
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    let file_name = format!("{}.zip", safe_component(name));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&crate::web::download::disposition(false, &file_name))
            .map_err(|_| Error::Internal("not a header value".into()))?,
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// A zip entry's date (zip keeps local time without a zone; UTC is as good as any).
fn zip_time(unix: i64) -> ZipDateTime {
    let at =
        time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    // Zip dates start in 1980.
    let at = at.max(time::macros::datetime!(1980-01-01 0:00 UTC));
    ZipDateTimeBuilder::new()
        .year(at.year())
        .month(u8::from(at.month()).into())
        .day(at.day().into())
        .hour(at.hour().into())
        .minute(at.minute().into())
        .second(at.second().into())
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(folder: &str, name: &str) -> Entry {
        Entry {
            folder: folder.into(),
            file: StoredFile {
                id: 1,
                workspace_id: 1,
                client_id: None,
                storage_key: "k".into(),
                name: name.into(),
                content_type: "image/png".into(),
                size: 1,
                uploaded_by: "x".into(),
                created_at: 0,
                thumbnail_state: None,
                thumbnail_type: None,
                thumbnail_size: None,
            },
        }
    }

    #[test]
    fn hostile_names_stay_inside_the_archive() {
        assert_eq!(safe_component("../../etc/passwd"), "_.._etc_passwd");
        for sneaky in [". ..", " . . .. ", "..", ". .", "\u{3000}.."] {
            let got = safe_component(sneaky);
            assert_eq!(got, "file", "{sneaky:?}");
        }
        assert_eq!(safe_component(".. .Brand"), "Brand");
        assert_eq!(safe_component("v1. . "), "v1");
        assert_eq!(safe_component("..\\..\\boot.ini"), "_.._boot.ini");
        assert_eq!(safe_component("C:\\x"), "C__x");
        assert_eq!(safe_component(".hidden"), "hidden");
        assert_eq!(safe_component("  "), "file");
        assert_eq!(safe_component("a\u{0}b\nc"), "a_b_c");
        assert_eq!(safe_component("..."), "file");
    }

    #[test]
    fn duplicate_names_are_numbered_like_a_desktop_does() {
        let got = paths(&[
            entry("", "logo.png"),
            entry("", "Logo.PNG"),
            entry("", "logo.png"),
            entry("Brand", "logo.png"),
            entry("../up", "README"),
        ]);
        assert_eq!(
            got,
            [
                "logo.png",
                "Logo (2).PNG",
                "logo (3).png",
                "Brand/logo.png",
                "_up/README"
            ]
        );
    }
}
