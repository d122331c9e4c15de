//! What every portal page shows of a contact's notifications — the unread count on the menu,
//! and the newest few on the home page — cached briefly per contact.
//!
//! Every page carries the count, so it must not cost a query per page. Marking read and
//! notifying in this process forget the entry at once, and an entry read at an older
//! workspace revision is not used (a permission taken away, from any writer, shows on the
//! next click); another instance's notification shows within [`FRESH_FOR`] — a badge may lag
//! that long, the feed page never does (it always reads the table).
use std::sync::Arc;
use std::time::Duration;

use crate::db::Db;
use crate::error::Result;
use crate::notifications::{FeedEntry, FeedRules};
use crate::tenancy::ClientScope;

pub const FRESH_FOR: Duration = Duration::from_secs(15);
/// How many of the newest entries the summary keeps.
pub const RECENT: i64 = 5;

#[derive(Debug, Default)]
pub struct Summary {
    pub unread: u32,
    /// Newest first.
    pub recent: Vec<FeedEntry>,
}

#[derive(Clone)]
pub struct UnreadCache {
    /// By contact: the workspace revision it was read at, and the summary.
    cache: moka::future::Cache<i64, (i64, Arc<Summary>)>,
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
    /// The count and the newest entries, of what the contact may still see (`rules`), as of
    /// the workspace's `revision`.
    pub async fn summary(
        &self,
        db: &Db,
        rules: &FeedRules,
        scope: ClientScope,
        revision: i64,
    ) -> Result<Arc<Summary>> {
        let contact = scope.contact_id();
        if let Some((read_at, hit)) = self.cache.get(&contact).await {
            if read_at == revision {
                return Ok(hit);
            }
        }
        let sql = format!(
            "SELECT COUNT(*) FROM notifications WHERE contact_id = $1 AND workspace_id = $2 AND read_at IS NULL AND {}",
            rules.condition()
        );
        let mut tx = scope.begin(db).await?;
        let n: i64 = tx
            .query_scalar(&sql)
            .bind(contact)
            .bind(scope.workspace_id())
            .fetch_one()
            .await?;
        let recent =
            crate::notifications::feed::page_in(&mut tx, rules, scope, None, RECENT).await?;
        tx.commit().await?;
        let summary = Arc::new(Summary {
            unread: u32::try_from(n).unwrap_or(u32::MAX),
            recent,
        });
        self.cache
            .insert(contact, (revision, summary.clone()))
            .await;
        Ok(summary)
    }

    pub async fn forget(&self, contact_id: i64) {
        self.cache.invalidate(&contact_id).await;
    }
}
