//! The wall around one client's data.
use crate::db::{Db, ScopedTx};
use crate::error::Result;

/// The only way a portal handler reaches client-owned rows: workspace, client and contact,
/// taken from the session, never from the request. Every query of client data binds
/// `workspace_id` and `client_id` from here.
///
/// Only the crate builds one (from a signed-in contact), so a module cannot widen its own
/// scope by naming another client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientScope {
    workspace_id: i64,
    client_id: i64,
    contact_id: i64,
}

impl ClientScope {
    pub(crate) fn new(workspace_id: i64, client_id: i64, contact_id: i64) -> ClientScope {
        ClientScope {
            workspace_id,
            client_id,
            contact_id,
        }
    }

    pub fn workspace_id(&self) -> i64 {
        self.workspace_id
    }
    pub fn client_id(&self) -> i64 {
        self.client_id
    }
    pub fn contact_id(&self) -> i64 {
        self.contact_id
    }

    /// A connection for this scope's queries: on PostgreSQL a transaction whose row-level
    /// security admits only this client's rows (see `db::ScopedTx`). Commit it when done.
    pub async fn begin(&self, db: &Db) -> Result<ScopedTx> {
        ScopedTx::begin(db, self.workspace_id, self.client_id).await
    }

    /// The same, for writes that must land together (see `db::ScopedTx::begin_write`).
    pub async fn begin_write(&self, db: &Db) -> Result<ScopedTx> {
        ScopedTx::begin_write(db, self.workspace_id, self.client_id).await
    }
}
