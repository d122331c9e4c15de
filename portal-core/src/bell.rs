//! A bell that wakes a background worker (the outbox, the thumbnail maker) when there is work,
//! so what a request queued goes out now instead of on the worker's next round. Ringing is
//! only a hint: the workers also poll, so a ring lost to a crash or another instance costs a
//! round, never the work.
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

#[derive(Clone, Debug, Default)]
pub struct Bell(Arc<Notify>);

impl Bell {
    pub fn ring(&self) {
        self.0.notify_one();
    }

    /// Waits until the bell rings or `most` has passed, whichever comes first.
    pub async fn wait(&self, most: Duration) {
        let _ = tokio::time::timeout(most, self.0.notified()).await;
    }
}
