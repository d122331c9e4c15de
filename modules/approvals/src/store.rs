//! Approval requests, their versions, files and history. Reads for the portal run in the
//! contact's scope and leave out drafts, versions still being prepared and projects the
//! contact may not see; every change runs in one write transaction that first reads the
//! request locked (`FOR UPDATE` on PostgreSQL, an immediate transaction on SQLite) and asks
//! the state machine ([`Status::after`]) whether the step may follow.
use portal_core::prelude::*;
use portico_projects::store::visible;
use serde::Serialize;

use crate::status::{Status, Step};

/// A request as both sides read it.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Approval {
    pub id: i64,
    pub workspace_id: i64,
    pub client_id: i64,
    pub client_name: String,
    pub project_id: i64,
    pub project_name: String,
    pub title: String,
    pub description: String,
    pub due_date: Option<Day>,
    pub status: Status,
    /// The newest version sent to the client (1 for a draft): what the client reviews. A
    /// version being prepared after a revision request is not counted until it is sent.
    pub version: i64,
    pub created_by_id: Option<i64>,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Version {
    pub id: i64,
    pub number: i64,
    pub created_at: i64,
    pub submitted_at: Option<i64>,
}

/// A file of a version, with what the file store knows of it.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct VersionFile {
    pub version_id: i64,
    pub file_id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
}

/// One line of the history.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Event {
    pub id: i64,
    pub kind: String,
    pub version: i64,
    pub body: String,
    pub actor: String,
    pub contact_id: Option<i64>,
    pub staff_user_id: Option<i64>,
    pub created_at: i64,
}

/// Who acts.
#[derive(Clone, Copy, Debug)]
pub enum Actor<'a> {
    Contact {
        id: i64,
        name: &'a str,
    },
    Staff {
        id: i64,
        name: &'a str,
    },
    /// The team, with no staff account behind it (the demo's seed).
    Team {
        name: &'a str,
    },
}

impl Actor<'_> {
    fn name(&self) -> &str {
        match self {
            Actor::Contact { name, .. } | Actor::Staff { name, .. } | Actor::Team { name } => name,
        }
    }
}

const SELECT: &str = "SELECT ap.id, ap.workspace_id, ap.client_id, c.name AS client_name, ap.project_id, \
    p.name AS project_name, ap.title, ap.description, ap.due_date, ap.status, CAST(ap.version AS BIGINT) AS version, \
    ap.created_by_id, ap.created_by, ap.created_at, ap.updated_at \
    FROM approvals ap JOIN projects p ON p.id = ap.project_id JOIN core_clients c ON c.id = ap.client_id";

/// The client's requests the contact may see (never a draft), those waiting for a decision
/// first, then the most recently changed.
pub async fn list_for_client(db: &Db, scope: ClientScope) -> Result<Vec<Approval>> {
    let sql = format!(
        "{SELECT} WHERE ap.workspace_id = $1 AND ap.client_id = $2 AND ap.status <> 'draft' AND {} \
         ORDER BY ap.status = 'pending' DESC, ap.updated_at DESC, ap.id DESC",
        visible("ap.project_id", "$3")
    );
    let mut tx = scope.begin(db).await?;
    let found = tx
        .query_as::<Approval>(&sql)
        .bind(scope.workspace_id())
        .bind(scope.client_id())
        .bind(scope.contact_id())
        .fetch_all()
        .await?;
    tx.commit().await?;
    Ok(found)
}

/// How many requests wait for the contact's client's decision (for the home page).
pub async fn pending_in(tx: &mut ScopedTx, scope: ClientScope) -> Result<Vec<Approval>> {
    let sql = format!(
        "{SELECT} WHERE ap.workspace_id = $1 AND ap.client_id = $2 AND ap.status = 'pending' AND {} \
         ORDER BY ap.due_date IS NULL, ap.due_date, ap.updated_at DESC LIMIT 10",
        visible("ap.project_id", "$3")
    );
    tx.query_as(&sql)
        .bind(scope.workspace_id())
        .bind(scope.client_id())
        .bind(scope.contact_id())
        .fetch_all()
        .await
}

/// One request as the contact may see it, read inside `tx` — locked for a write (`lock`).
async fn client_one(
    tx: &mut ScopedTx,
    scope: ClientScope,
    id: i64,
    lock: bool,
) -> Result<Approval> {
    // The request's row only, not the joined ones.
    let lock = if lock {
        tx.lock_for_update_of("ap")
    } else {
        String::new()
    };
    let sql = format!(
        "{SELECT} WHERE ap.id = $1 AND ap.workspace_id = $2 AND ap.client_id = $3 AND ap.status <> 'draft' AND {}{lock}",
        visible("ap.project_id", "$4"),
    );
    tx.query_as::<Approval>(&sql)
        .bind(id)
        .bind(scope.workspace_id())
        .bind(scope.client_id())
        .bind(scope.contact_id())
        .fetch_optional()
        .await?
        .ok_or(Error::NotFound)
}

/// Not found unless the contact may see the request — asked before a form is read, so a
/// stranger's id answers exactly like a missing page, whatever was sent.
pub async fn require_for_client(db: &Db, scope: ClientScope, id: i64) -> Result<()> {
    let mut tx = scope.begin(db).await?;
    client_one(&mut tx, scope, id, false).await?;
    tx.commit().await
}

/// Everything the portal shows of one request: the request, its sent versions, their files,
/// the history.
pub struct ClientView {
    pub approval: Approval,
    pub versions: Vec<Version>,
    pub files: Vec<VersionFile>,
    pub events: Vec<Event>,
}

pub async fn view_for_client(db: &Db, scope: ClientScope, id: i64) -> Result<ClientView> {
    let mut tx = scope.begin(db).await?;
    let approval = client_one(&mut tx, scope, id, false).await?;
    let (versions, files, events) = details(&mut tx, &approval, true).await?;
    tx.commit().await?;
    Ok(ClientView {
        approval,
        versions,
        files,
        events,
    })
}

/// Versions, files and history of `approval`; `sent_only` leaves out a version still being
/// prepared (and its files).
async fn details(
    tx: &mut ScopedTx,
    approval: &Approval,
    sent_only: bool,
) -> Result<(Vec<Version>, Vec<VersionFile>, Vec<Event>)> {
    let sent = if sent_only {
        " AND v.submitted_at IS NOT NULL"
    } else {
        ""
    };
    let versions_sql = format!(
        "SELECT v.id, CAST(v.number AS BIGINT) AS number, v.created_at, v.submitted_at FROM approval_versions v \
         WHERE v.approval_id = $1 AND v.workspace_id = $2{sent} ORDER BY v.number DESC"
    );
    let files_sql = format!(
        "SELECT af.version_id, f.id AS file_id, f.name, f.content_type, f.size \
         FROM approval_files af JOIN approval_versions v ON v.id = af.version_id \
         JOIN core_files f ON f.id = af.file_id AND f.workspace_id = af.workspace_id \
         WHERE af.approval_id = $1 AND af.workspace_id = $2{sent} ORDER BY af.id"
    );
    let events_sql = "SELECT id, kind, CAST(version AS BIGINT) AS version, body, actor, contact_id, staff_user_id, created_at \
         FROM approval_events WHERE approval_id = $1 AND workspace_id = $2 ORDER BY id";
    let (id, ws) = (approval.id, approval.workspace_id);
    let versions = tx
        .query_as::<Version>(&versions_sql)
        .bind(id)
        .bind(ws)
        .fetch_all()
        .await?;
    let files = tx
        .query_as::<VersionFile>(&files_sql)
        .bind(id)
        .bind(ws)
        .fetch_all()
        .await?;
    let events = tx
        .query_as::<Event>(events_sql)
        .bind(id)
        .bind(ws)
        .fetch_all()
        .await?;
    Ok((versions, files, events))
}

/// A file of a sent version of a request the contact may see: the file's id, or not found.
///
/// Asked on every request of a file (a video's every range): the request and the one file,
/// not the whole view.
pub async fn client_file(db: &Db, scope: ClientScope, id: i64, file_id: i64) -> Result<i64> {
    let mut tx = scope.begin(db).await?;
    client_one(&mut tx, scope, id, false).await?;
    let found = file_in(&mut tx, scope.workspace_id(), id, file_id, true).await?;
    tx.commit().await?;
    found.ok_or(Error::NotFound)
}

/// A file of any version of a request of the workspace (staff): the file's id, or not found.
pub async fn staff_file(db: &Db, workspace_id: i64, id: i64, file_id: i64) -> Result<i64> {
    let mut tx = ScopedTx::begin_staff(db, workspace_id).await?;
    let found = file_in(&mut tx, workspace_id, id, file_id, false).await?;
    tx.commit().await?;
    found.ok_or(Error::NotFound)
}

/// `file_id` if it belongs to a version of request `id` (a sent one, with `sent_only`).
async fn file_in(
    tx: &mut ScopedTx,
    workspace_id: i64,
    id: i64,
    file_id: i64,
    sent_only: bool,
) -> Result<Option<i64>> {
    let sent = if sent_only {
        " AND v.submitted_at IS NOT NULL"
    } else {
        ""
    };
    let sql = format!(
        "SELECT af.file_id FROM approval_files af JOIN approval_versions v ON v.id = af.version_id \
         WHERE af.approval_id = $1 AND af.workspace_id = $2 AND af.file_id = $3{sent} LIMIT 1"
    );
    tx.query_scalar::<i64>(&sql)
        .bind(id)
        .bind(workspace_id)
        .bind(file_id)
        .fetch_optional()
        .await
}

/// Staff's list: the workspace's requests, optionally of one status, newest change first.
pub async fn list_for_workspace(
    db: &Db,
    workspace_id: i64,
    status: Option<Status>,
) -> Result<Vec<Approval>> {
    let sql = format!(
        "{SELECT} WHERE ap.workspace_id = $1 AND ($2 IS NULL OR ap.status = $2) ORDER BY ap.updated_at DESC, ap.id DESC"
    );
    db.query_as::<Approval>(&sql)
        .bind(workspace_id)
        .bind(status)
        .fetch_all()
        .await
}

/// Everything staff see of one request.
pub struct StaffView {
    pub approval: Approval,
    pub versions: Vec<Version>,
    pub files: Vec<VersionFile>,
    pub events: Vec<Event>,
}

pub async fn view_for_workspace(db: &Db, workspace_id: i64, id: i64) -> Result<StaffView> {
    let mut tx = ScopedTx::begin_staff(db, workspace_id).await?;
    let approval = staff_read(&mut tx, workspace_id, id, false).await?;
    let (versions, files, events) = details(&mut tx, &approval, false).await?;
    tx.commit().await?;
    Ok(StaffView {
        approval,
        versions,
        files,
        events,
    })
}

/// One request of the workspace, read locked inside `tx`, a write about to change it.
pub async fn staff_one(tx: &mut ScopedTx, workspace_id: i64, id: i64) -> Result<Approval> {
    staff_read(tx, workspace_id, id, true).await
}

async fn staff_read(tx: &mut ScopedTx, workspace_id: i64, id: i64, lock: bool) -> Result<Approval> {
    // The request's row only, not the joined ones.
    let lock = if lock {
        tx.lock_for_update_of("ap")
    } else {
        String::new()
    };
    let sql = format!("{SELECT} WHERE ap.id = $1 AND ap.workspace_id = $2{lock}");
    tx.query_as::<Approval>(&sql)
        .bind(id)
        .bind(workspace_id)
        .fetch_optional()
        .await?
        .ok_or(Error::NotFound)
}

/// What staff fill in to open a request.
pub struct NewApproval<'a> {
    pub project_id: i64,
    pub title: &'a str,
    pub description: &'a str,
    pub due_date: Option<Day>,
    /// The staff member opening it (told when the client answers); `None` for the seed.
    pub by_id: Option<i64>,
    pub by: &'a str,
}

/// Opens a request on one of the workspace's projects, as a draft with an empty version 1.
pub async fn create(tx: &mut ScopedTx, workspace_id: i64, new: &NewApproval<'_>) -> Result<i64> {
    let client: Option<i64> = tx
        .query_scalar("SELECT client_id FROM projects WHERE id = $1 AND workspace_id = $2")
        .bind(new.project_id)
        .bind(workspace_id)
        .fetch_optional()
        .await?;
    let client = client.ok_or_else(|| Error::BadRequest("Choose one of your projects.".into()))?;
    let ts = now();
    let sql = "INSERT INTO approvals (workspace_id, client_id, project_id, title, description, due_date, status, version, created_by_id, created_by, created_at, updated_at) \
               VALUES ($1, $2, $3, $4, $5, $6, 'draft', 1, $7, $8, $9, $9) RETURNING id";
    let id: i64 = tx
        .query_scalar(sql)
        .bind(workspace_id)
        .bind(client)
        .bind(new.project_id)
        .bind(new.title)
        .bind(new.description)
        .bind(new.due_date)
        .bind(new.by_id)
        .bind(new.by)
        .bind(ts)
        .fetch_one()
        .await?;
    let sql =
        "INSERT INTO approval_versions (workspace_id, client_id, approval_id, number, created_at) \
               VALUES ($1, $2, $3, 1, $4)";
    tx.query(sql)
        .bind(workspace_id)
        .bind(client)
        .bind(id)
        .bind(ts)
        .execute()
        .await?;
    Ok(id)
}

/// The version files go to: the newest while it is not yet sent; after a revision request,
/// a new one — which the client does not see, and `approvals.version` does not count, until
/// it is sent. Returns its id and number.
async fn open_version(tx: &mut ScopedTx, a: &Approval) -> Result<(i64, i64)> {
    let newest: Option<(i64, i64, Option<i64>)> = tx
        .query_as(
            "SELECT id, CAST(number AS BIGINT), submitted_at FROM approval_versions \
             WHERE approval_id = $1 AND workspace_id = $2 ORDER BY number DESC LIMIT 1",
        )
        .bind(a.id)
        .bind(a.workspace_id)
        .fetch_optional()
        .await?;
    match newest {
        Some((id, number, None)) => Ok((id, number)),
        other => {
            let next = other.map_or(1, |(_, number, _)| number + 1);
            let sql = "INSERT INTO approval_versions (workspace_id, client_id, approval_id, number, created_at) \
                       VALUES ($1, $2, $3, $4, $5) RETURNING id";
            let id: i64 = tx
                .query_scalar(sql)
                .bind(a.workspace_id)
                .bind(a.client_id)
                .bind(a.id)
                .bind(next)
                .bind(now())
                .fetch_one()
                .await?;
            Ok((id, next))
        }
    }
}

/// Adds stored files to the version being prepared: the agency's own, or the request's
/// client's — never another client's. Returns the version's number.
pub async fn add_files(tx: &mut ScopedTx, a: &Approval, files: &[i64]) -> Result<i64> {
    a.status.after(Step::ChangeFiles)?;
    let (version_id, number) = open_version(tx, a).await?;
    for file in files {
        let found: Option<i64> = tx
            .query_scalar(
                "SELECT id FROM core_files WHERE id = $1 AND workspace_id = $2 AND (client_id IS NULL OR client_id = $3)",
            )
            .bind(file)
            .bind(a.workspace_id)
            .bind(a.client_id)
            .fetch_optional()
            .await?;
        if found.is_none() {
            return Err(Error::BadRequest(
                "Choose files from your file manager (the agency's own, or this client's).".into(),
            ));
        }
        let sql = "INSERT INTO approval_files (workspace_id, client_id, approval_id, version_id, file_id) \
                   VALUES ($1, $2, $3, $4, $5) ON CONFLICT (version_id, file_id) DO NOTHING";
        tx.query(sql)
            .bind(a.workspace_id)
            .bind(a.client_id)
            .bind(a.id)
            .bind(version_id)
            .bind(file)
            .execute()
            .await?;
    }
    touch(tx, a.id).await?;
    Ok(number)
}

/// Takes a file out of the version being prepared (never out of a sent one).
pub async fn remove_file(tx: &mut ScopedTx, a: &Approval, file: i64) -> Result<()> {
    a.status.after(Step::ChangeFiles)?;
    let sql = "DELETE FROM approval_files WHERE approval_id = $1 AND workspace_id = $2 AND file_id = $3 \
               AND version_id IN (SELECT id FROM approval_versions WHERE approval_id = $1 AND submitted_at IS NULL)";
    let gone = tx
        .query(sql)
        .bind(a.id)
        .bind(a.workspace_id)
        .bind(file)
        .execute()
        .await?;
    if gone == 0 {
        return Err(Error::Conflict(
            "Only files of the version being prepared can be removed; sent versions are kept as they were."
                .into(),
        ));
    }
    touch(tx, a.id).await
}

async fn touch(tx: &mut ScopedTx, id: i64) -> Result<()> {
    tx.query("UPDATE approvals SET updated_at = $1 WHERE id = $2")
        .bind(now())
        .bind(id)
        .execute()
        .await?;
    Ok(())
}

/// Sends the version being prepared to the client: it must hold at least one file. Returns
/// its number.
pub async fn submit(tx: &mut ScopedTx, a: &Approval, by: Actor<'_>) -> Result<i64> {
    let next = a.status.after(Step::Submit)?;
    let sql = "SELECT v.id, CAST(v.number AS BIGINT), (SELECT COUNT(*) FROM approval_files af WHERE af.version_id = v.id) \
               FROM approval_versions v WHERE v.approval_id = $1 AND v.submitted_at IS NULL ORDER BY v.number DESC LIMIT 1";
    let open: Option<(i64, i64, i64)> = tx.query_as(sql).bind(a.id).fetch_optional().await?;
    let (version_id, number) = match open {
        Some((id, number, files)) if files > 0 => (id, number),
        _ => {
            return Err(Error::BadRequest(
                "Add the files of the new version first: a review needs something to look at."
                    .into(),
            ))
        }
    };
    tx.query("UPDATE approval_versions SET submitted_at = $1 WHERE id = $2")
        .bind(now())
        .bind(version_id)
        .execute()
        .await?;
    move_to(tx, a, next, number).await?;
    event(tx, a, "submitted", "", by).await?;
    Ok(number)
}

/// The client's decision on the version they reviewed (`seen`): approve, or send back with
/// `comment` saying what must change. A stale decision — the request moved, or a newer
/// version arrived — is refused with what happened instead.
pub async fn decide(
    tx: &mut ScopedTx,
    scope: ClientScope,
    id: i64,
    seen: i64,
    step: Step,
    comment: &str,
    by: Actor<'_>,
) -> Result<Approval> {
    let a = client_one(tx, scope, id, true).await?;
    let next = match a.status.after(step) {
        Ok(next) => next,
        Err(refused) => return Err(stale(tx, &a).await?.unwrap_or(refused)),
    };
    if a.version != seen {
        return Err(Error::Conflict(format!(
            "Version {} arrived while you were looking at version {seen}: review it, then decide.",
            a.version
        )));
    }
    move_to(tx, &a, next, a.version).await?;
    let kind = if step == Step::Approve {
        "approved"
    } else {
        "revision_requested"
    };
    event(tx, &a, kind, comment, by).await?;
    Ok(a)
}

/// What already happened to a request someone tried to decide: "Dana Wells approved it
/// already."
async fn stale(tx: &mut ScopedTx, a: &Approval) -> Result<Option<Error>> {
    let sql = "SELECT kind, actor FROM approval_events WHERE approval_id = $1 AND kind IN ('approved', 'revision_requested') \
               ORDER BY id DESC LIMIT 1";
    let last: Option<(String, String)> = tx.query_as(sql).bind(a.id).fetch_optional().await?;
    Ok(last.map(|(kind, actor)| {
        Error::Conflict(match kind.as_str() {
            "approved" => format!("{actor} approved it already; nothing more to decide."),
            _ => format!("{actor} already asked for changes; the team is preparing a new version."),
        })
    }))
}

/// The one write of a status (and of the version under review, `version`): conditional on the
/// status and version read, so it applies exactly once even if a caller forgot to lock.
async fn move_to(tx: &mut ScopedTx, a: &Approval, next: Status, version: i64) -> Result<()> {
    let sql = "UPDATE approvals SET status = $1, version = $2, updated_at = $3 \
               WHERE id = $4 AND status = $5 AND version = $6";
    let moved = tx
        .query(sql)
        .bind(next)
        .bind(version)
        .bind(now())
        .bind(a.id)
        .bind(a.status)
        .bind(a.version)
        .execute()
        .await?;
    if moved == 0 {
        return Err(Error::Conflict(
            "Someone else changed it a moment ago: reload to see what happened.".into(),
        ));
    }
    Ok(())
}

/// Adds a line to the history.
pub async fn event(
    tx: &mut ScopedTx,
    a: &Approval,
    kind: &str,
    body: &str,
    by: Actor<'_>,
) -> Result<()> {
    let (contact, staff) = match by {
        Actor::Contact { id, .. } => (Some(id), None),
        Actor::Staff { id, .. } => (None, Some(id)),
        Actor::Team { .. } => (None, None),
    };
    let version: i64 = tx
        .query_scalar("SELECT CAST(version AS BIGINT) FROM approvals WHERE id = $1")
        .bind(a.id)
        .fetch_one()
        .await?;
    let sql = "INSERT INTO approval_events (workspace_id, client_id, approval_id, kind, version, body, actor, contact_id, staff_user_id, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
    tx.query(sql)
        .bind(a.workspace_id)
        .bind(a.client_id)
        .bind(a.id)
        .bind(kind)
        .bind(version)
        .bind(body)
        .bind(by.name())
        .bind(contact)
        .bind(staff)
        .bind(now())
        .execute()
        .await?;
    Ok(())
}

/// A contact's comment on a request they may see.
pub async fn client_comment(
    tx: &mut ScopedTx,
    scope: ClientScope,
    id: i64,
    body: &str,
    by: Actor<'_>,
) -> Result<Approval> {
    let a = client_one(tx, scope, id, true).await?;
    a.status.after(Step::Comment)?;
    event(tx, &a, "comment", body, by).await?;
    Ok(a)
}

/// What staff may change of a request's details.
pub struct Details<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub due_date: Option<Day>,
}

pub async fn edit(tx: &mut ScopedTx, a: &Approval, d: &Details<'_>) -> Result<()> {
    a.status.after(Step::Edit)?;
    let sql = "UPDATE approvals SET title = $1, description = $2, due_date = $3, updated_at = $4 \
               WHERE id = $5 AND status = $6";
    tx.query(sql)
        .bind(d.title)
        .bind(d.description)
        .bind(d.due_date)
        .bind(now())
        .bind(a.id)
        .bind(a.status)
        .execute()
        .await?;
    Ok(())
}

/// Deletes a draft (nothing of it ever reached the client). Its files stay in the file
/// manager.
pub async fn delete(tx: &mut ScopedTx, a: &Approval) -> Result<()> {
    a.status.after(Step::Delete)?;
    tx.query("DELETE FROM approvals WHERE id = $1 AND status = 'draft'")
        .bind(a.id)
        .execute()
        .await?;
    Ok(())
}

/// The contacts of the request's client who may decide on it: holding `can_approve_work`
/// and able to see its project.
pub async fn deciders(tx: &mut ScopedTx, a: &Approval) -> Result<Vec<i64>> {
    let (ws, client, project) = (a.workspace_id, a.client_id, a.project_id);
    portico_projects::store::audience(tx, ws, client, project, Some(crate::CAN_APPROVE)).await
}

/// The contacts who can see the request at all.
pub async fn viewers(tx: &mut ScopedTx, a: &Approval) -> Result<Vec<i64>> {
    portico_projects::store::audience(tx, a.workspace_id, a.client_id, a.project_id, None).await
}

/// Who on the team sent the version under review (the one to tell about the client's
/// answer); the request's creator when it was sent without a staff account (the seed).
pub async fn sender(tx: &mut ScopedTx, a: &Approval) -> Result<Option<i64>> {
    let sql = "SELECT staff_user_id FROM approval_events \
               WHERE approval_id = $1 AND kind = 'submitted' ORDER BY id DESC LIMIT 1";
    let sent: Option<Option<i64>> = tx.query_scalar(sql).bind(a.id).fetch_optional().await?;
    Ok(sent.flatten().or(a.created_by_id))
}
/// The demo's and the probes' deliverable: a request on `project` with one image, sent for
/// review. Returns the request's id and the file's.
pub async fn seed(
    state: &portal_core::AppState,
    workspace_id: i64,
    project: i64,
) -> Result<(i64, i64)> {
    let file = crate::sample_file(state, workspace_id).await?;
    let mut tx = ScopedTx::begin_staff_write(&state.db, workspace_id).await?;
    let new = NewApproval {
        project_id: project,
        title: "Homepage mockups",
        description:
            "The new homepage, desktop and phone. Approve it, or tell us what must change.",
        due_date: None,
        by_id: None,
        by: "Portico demo",
    };
    let id = create(&mut tx, workspace_id, &new).await?;
    let a = staff_one(&mut tx, workspace_id, id).await?;
    add_files(&mut tx, &a, &[file]).await?;
    submit(
        &mut tx,
        &a,
        Actor::Team {
            name: "Portico demo",
        },
    )
    .await?;
    tx.commit().await?;
    Ok((id, file))
}
