//! Streaming an upload into storage: the first few KiB decide the type (refused before
//! anything is stored when they contradict the name), the rest goes straight on in parts —
//! never the whole file in memory — and stops at the workspace's size limit or the plan's
//! remaining storage, leaving nothing behind.
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use object_store::WriteMultipart;

use crate::db::Db;
use crate::error::{Error, Result};
use crate::files::record::{self, NewFile, StoredFile};
use crate::files::{detect, new_key, storage, FileStore};

/// Bytes read before deciding the type.
const SNIFF: usize = 8 * 1024;
/// Parts in flight to storage at once: bounds the memory an upload holds.
const IN_FLIGHT: usize = 2;

/// Who uploads what, and the limits that apply.
pub struct Upload<'a> {
    pub workspace_id: i64,
    pub client_id: Option<i64>,
    /// As the browser sent it; cleaned before it is kept.
    pub name: &'a str,
    /// The type the browser declared, if any.
    pub declared: Option<&'a str>,
    pub uploaded_by: &'a str,
    /// The workspace's largest file, in bytes.
    pub max_bytes: u64,
    /// The plan's storage, in bytes; `None` for unlimited.
    pub quota: Option<u64>,
    /// A further limit of the caller's, e.g. the room left for feedback attachments.
    pub cap: Option<Cap<'a>>,
}

/// Bytes the caller still allows, and the error a file that would pass them gets.
#[derive(Clone, Copy)]
pub struct Cap<'a> {
    pub room: u64,
    pub refusal: &'a (dyn Fn() -> Error + Sync),
}

/// The workspace's largest file and its plan's storage (`None`: unlimited), in bytes: what
/// every upload, staff's or a contact's, is held to.
pub fn limits(files: &FileStore, tenant: &crate::tenancy::Tenant) -> (u64, Option<u64>) {
    let mb = tenant
        .workspace
        .max_file_mb
        .and_then(|m| u64::try_from(m).ok())
        .unwrap_or(files.max_file_mb);
    let quota = tenant
        .entitlements
        .limits
        .storage_mb
        .map(|m| m.saturating_mul(1024 * 1024));
    (mb.saturating_mul(1024 * 1024), quota)
}

/// The name a file is shown and downloaded under: the last segment of whatever path the
/// browser sent, without control characters, at most 200 characters.
pub fn clean_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last.chars().filter(|c| !c.is_control()).take(200).collect();
    let cleaned = cleaned.trim().trim_matches('.').trim();
    if cleaned.is_empty() {
        "file".into()
    } else {
        cleaned.to_string()
    }
}

/// Stores the stream and records it; returns the record.
pub async fn store<S, E>(
    db: &Db,
    files: &FileStore,
    up: &Upload<'_>,
    mut body: S,
) -> Result<StoredFile>
where
    S: Stream<Item = std::result::Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let name = clean_name(up.name);
    let broken = |e: E| Error::BadRequest(format!("The upload broke off: {e}"));
    let used = record::usage(db, up.workspace_id).await?.max(0) as u64;
    let room = up.quota.map(|q| q.saturating_sub(used));
    let limit = room.map_or(up.max_bytes, |r| r.min(up.max_bytes));
    let limit = up.cap.map_or(limit, |c| c.room.min(limit));
    let too_large = |size: u64| -> Error {
        if let Some(cap) = up.cap.filter(|c| size > c.room) {
            return (cap.refusal)();
        }
        match (room, up.quota) {
            (Some(r), Some(q)) if r < up.max_bytes && size > r => {
                record::over_quota(q, used as i64)
            }
            _ => Error::PayloadTooLarge(format!(
                "Files can be at most {}. Send a smaller file, or share a link to it instead.",
                record::megabytes(up.max_bytes)
            )),
        }
    };

    let mut head = Vec::with_capacity(SNIFF);
    let mut rest: Option<Bytes> = None;
    while head.len() < SNIFF {
        match body.next().await {
            Some(chunk) => {
                let chunk = chunk.map_err(broken)?;
                let take = (SNIFF - head.len()).min(chunk.len());
                head.extend_from_slice(&chunk[..take]);
                if take < chunk.len() {
                    rest = Some(chunk.slice(take..));
                }
            }
            None => break,
        }
    }
    if head.is_empty() {
        return Err(Error::BadRequest(format!("“{name}” is empty.")));
    }
    let kind = detect(&name, up.declared, &head)?;
    let mut size = head.len() as u64 + rest.as_ref().map_or(0, |r| r.len() as u64);
    if size > limit {
        return Err(too_large(size));
    }

    let key = new_key(up.workspace_id);
    let objects = files.objects();
    let mut writer = WriteMultipart::new(objects.put_multipart(&key).await.map_err(storage)?);
    writer.write(&head);
    if let Some(rest) = rest {
        writer.write(&rest);
    }
    let streamed: Result<()> = async {
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(broken)?;
            size += chunk.len() as u64;
            if size > limit {
                return Err(too_large(size));
            }
            writer.wait_for_capacity(IN_FLIGHT).await.map_err(storage)?;
            writer.write(&chunk);
        }
        Ok(())
    }
    .await;
    if let Err(e) = streamed {
        if let Err(abort) = writer.abort().await {
            tracing::warn!(error = %storage(abort), "aborting a refused upload failed");
        }
        return Err(e);
    }
    writer.finish().await.map_err(storage)?;

    let new = NewFile {
        workspace_id: up.workspace_id,
        client_id: up.client_id,
        storage_key: key.as_ref(),
        name: &name,
        content_type: kind.mime,
        size: size as i64,
        uploaded_by: up.uploaded_by,
        thumbnail: kind.is_image(),
    };
    let id = match record::insert_within_quota(db, &new, up.quota).await {
        Ok(id) => id,
        Err(e) => {
            // Another upload took the last of the space meanwhile: nothing may stay stored.
            if let Err(gone) = objects.delete(&key).await {
                tracing::warn!(error = %storage(gone), key = %key, "an unrecorded object stays behind");
            }
            return Err(e);
        }
    };
    if kind.is_image() {
        files.thumbnails().ring();
    }
    record::get(db, up.workspace_id, id).await
}

/// Stores bytes already in memory (demo data, generated files) the same way as an upload.
pub async fn store_bytes(
    db: &Db,
    files: &FileStore,
    up: &Upload<'_>,
    bytes: Vec<u8>,
) -> Result<StoredFile> {
    let body = futures_util::stream::iter([Ok::<_, std::convert::Infallible>(Bytes::from(bytes))]);
    store(db, files, up, body).await
}

#[cfg(test)]
mod tests {
    use super::clean_name;

    #[test]
    fn names_are_metadata_not_paths() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\Users\\me\\brief.pdf"), "brief.pdf");
        assert_eq!(clean_name("..."), "file");
        assert_eq!(clean_name("a\u{0}b\r\n.txt"), "ab.txt");
        assert_eq!(clean_name(""), "file");
        assert_eq!(clean_name("brief final (v2).pdf"), "brief final (v2).pdf");
        assert_eq!(clean_name(&"x".repeat(300)).len(), 200);
    }
}
