//! Thumbnails of uploaded images: made once, in the background, and kept beside the file
//! (`{storage_key}.thumb`), so a gallery of large photos loads small pictures.
//!
//! An upload marks an image `pending` and wakes the maker; the maker claims a few at a time
//! (a claim expires, so a crash mid-way only delays a thumbnail), decodes on a blocking thread
//! with limits against decompression bombs, and records the result — `ready`, or `failed`
//! (the gallery then shows the original, scaled by the browser).
use std::io::Cursor;
use std::time::Duration;

use image::{ImageFormat, ImageReader, Limits};

use crate::db::{now, Db};
use crate::error::{Error, Result};
use crate::files::{storage, FileStore};

/// The longest side of a thumbnail, in pixels.
pub const EDGE: u32 = 480;
/// Images larger than this are not read for a thumbnail.
const MAX_SOURCE: i64 = 40 * 1024 * 1024;
const CLAIM: i64 = 300;
const BATCH: i64 = 8;
const ROUND: Duration = Duration::from_secs(30);

/// Runs forever: makes pending thumbnails when woken, and every half minute.
pub async fn run(db: Db, files: FileStore) {
    loop {
        if let Err(e) = make_due(&db, &files).await {
            tracing::error!(error = ?e, "making thumbnails failed; retrying next round");
        }
        files.thumbnails().wait(ROUND).await;
    }
}

/// The files due for a thumbnail, oldest first (`$1` now, `$2` how many). The `IN` term is
/// the partial index's own condition, so both planners read only the files still due
/// (`files_thumbnail_due`), however many files there are.
pub const DUE: &str = "SELECT id, storage_key, size, content_type FROM files \
     WHERE thumbnail_state IN ('pending', 'working') \
       AND (thumbnail_state = 'pending' OR thumbnail_claimed_until < $1) \
     ORDER BY id LIMIT $2";

/// Makes the thumbnails due now; returns how many were made.
pub async fn make_due(db: &Db, files: &FileStore) -> Result<usize> {
    let at = now();
    let due: Vec<(i64, String, i64, String)> =
        db.query_as(DUE).bind(at).bind(BATCH).fetch_all().await?;
    let mut made = 0;
    for (id, key, size, mime) in due {
        let claimed = db
            .query(
                "UPDATE files SET thumbnail_state = 'working', thumbnail_claimed_until = $1 \
                 WHERE id = $2 AND (thumbnail_state = 'pending' \
                    OR (thumbnail_state = 'working' AND thumbnail_claimed_until < $3))",
            )
            .bind(at + CLAIM)
            .bind(id)
            .bind(at)
            .execute()
            .await?;
        if claimed == 0 {
            continue; // another instance has it
        }
        let outcome = if size > MAX_SOURCE {
            Err(Error::BadRequest(
                "too large to read for a thumbnail".into(),
            ))
        } else {
            make_one(files, &key, &mime).await
        };
        let (state_now, kind, bytes) = match outcome {
            Ok((kind, bytes)) => ("ready", Some(kind), Some(bytes)),
            Err(e) => {
                tracing::warn!(file = id, error = ?e, "no thumbnail for this image");
                ("failed", None, None)
            }
        };
        db.query(
            "UPDATE files SET thumbnail_state = $1, thumbnail_type = $2, thumbnail_size = $3, \
             thumbnail_claimed_until = NULL WHERE id = $4",
        )
        .bind(state_now)
        .bind(kind)
        .bind(bytes)
        .bind(id)
        .execute()
        .await?;
        if state_now == "ready" {
            made += 1;
        }
    }
    Ok(made)
}

async fn make_one(files: &FileStore, key: &str, mime: &str) -> Result<(&'static str, i64)> {
    let objects = files.objects();
    let source = object_store::path::Path::from(key);
    let bytes = objects
        .get(&source)
        .await
        .map_err(storage)?
        .bytes()
        .await
        .map_err(storage)?;
    let keep_alpha = mime != "image/jpeg";
    let (kind, thumb) = tokio::task::spawn_blocking(move || shrink(&bytes, keep_alpha))
        .await
        .map_err(|e| Error::Internal(format!("the thumbnail maker stopped: {e}")))??;
    let size = thumb.len() as i64;
    let target = object_store::path::Path::from(format!("{key}.thumb"));
    objects.put(&target, thumb.into()).await.map_err(storage)?;
    Ok((kind, size))
}

/// A picture at most [`EDGE`] on its longer side: PNG where the source may be transparent,
/// JPEG otherwise.
pub fn shrink(bytes: &[u8], keep_alpha: bool) -> Result<(&'static str, Vec<u8>)> {
    let mut limits = Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| Error::BadRequest(format!("unreadable image: {e}")))?;
    reader.limits(limits);
    let picture = reader
        .decode()
        .map_err(|e| Error::BadRequest(format!("unreadable image: {e}")))?;
    let small = picture.thumbnail(EDGE, EDGE);
    let mut out = Cursor::new(Vec::new());
    let kind = if keep_alpha {
        small
            .write_to(&mut out, ImageFormat::Png)
            .map_err(|e| Error::Internal(format!("encoding a thumbnail: {e}")))?;
        "image/png"
    } else {
        small
            .to_rgb8()
            .write_to(&mut out, ImageFormat::Jpeg)
            .map_err(|e| Error::Internal(format!("encoding a thumbnail: {e}")))?;
        "image/jpeg"
    };
    Ok((kind, out.into_inner()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use image::{ImageBuffer, Rgb, Rgba};

    fn png_of(width: u32, height: u32) -> Vec<u8> {
        let picture = ImageBuffer::from_fn(width, height, |x, y| Rgba([x as u8, y as u8, 90, 255]));
        let mut out = Cursor::new(Vec::new());
        picture.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn thumbnails_fit_the_edge_and_keep_the_shape() {
        let (kind, bytes) = shrink(&png_of(1600, 900), true).unwrap();
        assert_eq!(kind, "image/png");
        let small = image::load_from_memory(&bytes).unwrap();
        assert_eq!((small.width(), small.height()), (480, 270));
        let jpeg = {
            let picture = ImageBuffer::from_fn(800, 1200, |_, _| Rgb([200u8, 10, 10]));
            let mut out = Cursor::new(Vec::new());
            picture.write_to(&mut out, ImageFormat::Jpeg).unwrap();
            out.into_inner()
        };
        let (kind, bytes) = shrink(&jpeg, false).unwrap();
        assert_eq!(kind, "image/jpeg");
        let small = image::load_from_memory(&bytes).unwrap();
        assert_eq!((small.width(), small.height()), (320, 480));
    }

    #[test]
    fn oversized_and_broken_images_are_refused() {
        assert!(
            shrink(&png_of(13_000, 1), true).is_err(),
            "wider than the limit"
        );
        assert!(shrink(b"\x89PNG\r\n\x1a\nnot really", true).is_err());
    }
}
