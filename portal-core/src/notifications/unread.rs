//! The unread count every portal page shows, cached briefly per contact.
//!
//! Every page's menu carries the count, so it must not cost a query per page. Marking read
//! and notifying in this process forget the entry at once; another instance's notification
//! shows within [`FRESH_FOR`] — a badge may lag that long, a feed never does (the feed page
//! always reads the table).
use std::time::Duration;

use crate::db::Db;
use crate::error::Result;
use crate::web::ClientScope;
use crate::with_tx;

pub const FRESH_FOR: Duration = Duration::from_secs(15);

pub struct UnreadCache {
    cache: moka::future::Cache<i64, u32>,
}

impl Default for UnreadCache {
    fn default() -> Self {
        UnreadCache {
            cache: moka::future::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(FRESH_FOR)
                .build(),
        }
    }
}

impl UnreadCache {
    pub async fn count(&self, db: &Db, scope: ClientScope) -> Result<u32> {
        let contact = scope.contact_id();
        if let Some(n) = self.cache.get(&contact).await {
            return Ok(n);
        }
        let mut tx = scope.begin(db).await?;
        let n: i64 = with_tx!(&mut tx, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM notifications WHERE contact_id = $1 AND workspace_id = $2 AND read_at IS NULL",
        )
        .bind(contact)
        .bind(scope.workspace_id())
        .fetch_one(&mut **c)
        .await)?;
        tx.commit().await?;
        let n = u32::try_from(n).unwrap_or(u32::MAX);
        self.cache.insert(contact, n).await;
        Ok(n)
    }

    pub async fn forget(&self, contact_id: i64) {
        self.cache.invalidate(&contact_id).await;
    }
}
