//! File storage: one interface over a local directory (the default) and S3-compatible object
//! storage (so several instances share files), used by every module that keeps files —
//! shared files and the gallery, approvals, feedback attachments, logos.
//!
//! - Keys are generated (`ws/{workspace}/{random}`), never built from anything a user sent;
//!   the original name is metadata only.
//! - Uploads stream to storage ([`upload`]): the type is read from the content, a name or
//!   header that says otherwise is refused, and the workspace's file-size limit and the plan's
//!   storage quota hold — the quota exactly, re-checked under the workspace's row lock when the
//!   file is recorded.
//! - Downloads stream with ranges, so video previews seek (`web::download`); inline only
//!   for types a browser shows safely, everything else is an attachment.
mod budget;
pub(crate) mod kinds;
mod record;
pub mod thumbnails;
pub mod upload;

use std::path::PathBuf;
use std::sync::Arc;

use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::ObjectStore;

use crate::bell::Bell;
use crate::error::{Error, Result};

pub use budget::UploadBudget;
pub(crate) use kinds::detect;
pub use kinds::Kind;
pub(crate) use record::usage;
pub use record::{
    delete, get, get_for_client, human_size, list_for_workspace, many_for_client, StoredFile,
};

/// Where files go: a directory, or an S3-compatible bucket.
#[derive(Clone, Debug)]
pub enum FileBackend {
    Local(PathBuf),
    S3(S3Config),
}

/// An S3 bucket (or an S3-compatible server's). What is not set here comes from the usual
/// `AWS_*` environment variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
/// `AWS_REGION`, `AWS_ENDPOINT`, `AWS_ALLOW_HTTP`).
#[derive(Clone, Debug, Default)]
pub struct S3Config {
    /// `s3://bucket`
    pub url: String,
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    /// Plain HTTP to the endpoint (a local test server).
    pub allow_http: bool,
}

impl S3Config {
    pub fn from_url(url: &str) -> S3Config {
        S3Config {
            url: url.to_string(),
            ..Default::default()
        }
    }
}

impl Default for FileBackend {
    fn default() -> Self {
        FileBackend::Local(PathBuf::from("data/files"))
    }
}

/// The configured store, the deployment's largest file, and the bell that wakes the
/// thumbnail maker when an image arrives. Cheap to clone.
#[derive(Clone, Debug)]
pub struct FileStore {
    inner: Arc<dyn ObjectStore>,
    /// For workspaces without a limit of their own.
    max_file_mb: u64,
    thumbnails: Bell,
}

impl FileStore {
    pub fn open(backend: &FileBackend, max_file_mb: u64) -> Result<FileStore> {
        let inner: Arc<dyn ObjectStore> = match backend {
            FileBackend::Local(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| {
                    Error::Internal(format!(
                        "cannot create the file directory {}: {e}",
                        dir.display()
                    ))
                })?;
                Arc::new(LocalFileSystem::new_with_prefix(dir).map_err(storage)?)
            }
            FileBackend::S3(c) => {
                let mut b = AmazonS3Builder::from_env().with_url(&c.url);
                if let Some(v) = &c.endpoint {
                    b = b.with_endpoint(v);
                }
                if let Some(v) = &c.region {
                    b = b.with_region(v);
                }
                if let Some(v) = &c.access_key_id {
                    b = b.with_access_key_id(v);
                }
                if let Some(v) = &c.secret_access_key {
                    b = b.with_secret_access_key(v);
                }
                if c.allow_http {
                    b = b.with_allow_http(true);
                }
                Arc::new(b.build().map_err(storage)?)
            }
        };
        Ok(FileStore {
            inner,
            max_file_mb,
            thumbnails: Bell::default(),
        })
    }

    pub(crate) fn objects(&self) -> &Arc<dyn ObjectStore> {
        &self.inner
    }

    pub(crate) fn thumbnails(&self) -> &Bell {
        &self.thumbnails
    }
}

pub(crate) fn storage(e: object_store::Error) -> Error {
    Error::Internal(format!("file storage: {e}"))
}

/// A fresh key for a workspace's file: random, so nothing a user sends can name a path.
pub(crate) fn new_key(workspace_id: i64) -> object_store::path::Path {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    object_store::path::Path::from(format!("ws/{workspace_id}/{hex}"))
}
