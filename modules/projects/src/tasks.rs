//! Tasks: the portal's queries read only client-visible tasks, and only into [`ClientTask`],
//! which has no field for the agency's internal notes — so task internals cannot reach a
//! portal page even by mistake. Staff queries read everything, bound to the workspace.
use portal_core::prelude::*;
use serde::Serialize;

use crate::store::visible;

/// The task statuses as (word, label), in [`TaskStatus::ALL`]'s order: what the staff's
/// forms and the home page's widget offer.
pub const TASK_STATUSES: &[(&str, &str)] = &[
    ("todo", "To do"),
    ("in_progress", "In progress"),
    ("in_review", "In review"),
    ("done", "Done"),
];

/// The priorities as (word, label), in [`TaskPriority::ALL`]'s order.
pub const PRIORITIES: &[(&str, &str)] = &[
    ("low", "Low"),
    ("normal", "Normal"),
    ("high", "High"),
    ("urgent", "Urgent"),
];

/// Where a task stands (`tasks.status`): exactly the words its CHECK constraint allows.
/// Serialized as its stored word, which the templates compare (`t.status == k`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Todo,
    InProgress,
    InReview,
    Done,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 4] = [
        TaskStatus::Todo,
        TaskStatus::InProgress,
        TaskStatus::InReview,
        TaskStatus::Done,
    ];

    pub fn parse(raw: &str) -> Option<TaskStatus> {
        TaskStatus::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Todo => "todo",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::InReview => "in_review",
            TaskStatus::Done => "done",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TaskStatus::Todo => "To do",
            TaskStatus::InProgress => "In progress",
            TaskStatus::InReview => "In review",
            TaskStatus::Done => "Done",
        }
    }

    /// A status from a form, or the 400 the forms have always answered.
    pub fn read(raw: &str) -> Result<TaskStatus> {
        TaskStatus::parse(raw).ok_or_else(|| Error::BadRequest("Choose a status.".into()))
    }
}

portal_core::text_enum!(TaskStatus);

/// How urgent a task is (`tasks.priority`): exactly the words its CHECK constraint allows.
/// Serialized as its stored word (`t.priority in ["high", "urgent"]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskPriority {
    Low,
    Normal,
    High,
    Urgent,
}

impl TaskPriority {
    pub const ALL: [TaskPriority; 4] = [
        TaskPriority::Low,
        TaskPriority::Normal,
        TaskPriority::High,
        TaskPriority::Urgent,
    ];

    pub fn parse(raw: &str) -> Option<TaskPriority> {
        TaskPriority::ALL.into_iter().find(|p| p.as_str() == raw)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TaskPriority::Low => "low",
            TaskPriority::Normal => "normal",
            TaskPriority::High => "high",
            TaskPriority::Urgent => "urgent",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TaskPriority::Low => "Low",
            TaskPriority::Normal => "Normal",
            TaskPriority::High => "High",
            TaskPriority::Urgent => "Urgent",
        }
    }

    /// A priority from a form, or the 400 the forms have always answered.
    pub fn read(raw: &str) -> Result<TaskPriority> {
        TaskPriority::parse(raw).ok_or_else(|| Error::BadRequest("Choose a priority.".into()))
    }
}

portal_core::text_enum!(TaskPriority);

/// A task as a contact may see it: client-visible tasks only, the assignee by name only.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct ClientTask {
    pub id: i64,
    pub project_id: i64,
    pub title: String,
    pub description: String,
    pub status: TaskStatus,
    pub priority: TaskPriority,
    pub assignee_name: Option<String>,
    pub due_date: Option<Day>,
    pub completed_at: Option<i64>,
}

const CLIENT_TASK_COLUMNS: &str =
    "t.id, t.project_id, t.title, t.description, t.status, t.priority, \
     s.name AS assignee_name, t.due_date, t.completed_at";

/// The joins and filters every portal task query shares: the scope's client, a project the
/// contact may see, client-visible tasks only. `$1` workspace, `$2` client, `$3` contact.
fn client_task_sql(extra: &str) -> String {
    format!(
        "SELECT {CLIENT_TASK_COLUMNS} FROM tasks t \
         LEFT JOIN core_staff s ON s.id = t.assignee_id AND s.workspace_id = t.workspace_id \
         WHERE t.workspace_id = $1 AND t.client_id = $2 AND t.client_visible AND {} AND {extra}",
        visible("t.project_id", "$3")
    )
}

/// The project's client-visible tasks, in the agency's order.
pub async fn client_tasks(db: &Db, scope: ClientScope, project_id: i64) -> Result<Vec<ClientTask>> {
    let sql = client_task_sql("t.project_id = $4 ORDER BY t.position, t.id");
    let mut tx = scope.begin(db).await?;
    let found = tx
        .query_as::<ClientTask>(&sql)
        .bind(scope.workspace_id())
        .bind(scope.client_id())
        .bind(scope.contact_id())
        .bind(project_id)
        .fetch_all()
        .await?;
    tx.commit().await?;
    Ok(found)
}

/// A client-visible task with its project's name, for the home page.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct OngoingTask {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub task: ClientTask,
    pub project_name: String,
}

/// The contact's client-visible tasks in `statuses`, across the projects they may see,
/// soonest due first (undated last), on the scoped connection the home's widgets share.
pub async fn ongoing_in(
    tx: &mut ScopedTx,
    scope: ClientScope,
    statuses: &[String],
    limit: i64,
) -> Result<Vec<OngoingTask>> {
    if statuses.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (0..statuses.len()).map(|i| format!("${}", i + 5)).collect();
    let sql = format!(
        "SELECT {CLIENT_TASK_COLUMNS}, p.name AS project_name FROM tasks t \
         JOIN projects p ON p.id = t.project_id AND p.workspace_id = t.workspace_id AND p.client_id = t.client_id \
         LEFT JOIN core_staff s ON s.id = t.assignee_id AND s.workspace_id = t.workspace_id \
         WHERE t.workspace_id = $1 AND t.client_id = $2 AND t.client_visible AND {} \
           AND t.status IN ({}) \
         ORDER BY t.due_date IS NULL, t.due_date, t.id LIMIT $4",
        visible("t.project_id", "$3"),
        placeholders.join(", ")
    );
    let mut q = tx
        .query_as::<OngoingTask>(&sql)
        .bind(scope.workspace_id())
        .bind(scope.client_id())
        .bind(scope.contact_id())
        .bind(limit);
    for s in statuses {
        q = q.bind(s);
    }
    q.fetch_all().await
}

/// One client-visible task of the project; `None` for anything else (internal, another
/// project's, another client's, a project the contact may not see).
pub async fn client_task(
    db: &Db,
    scope: ClientScope,
    project_id: i64,
    task_id: i64,
) -> Result<Option<ClientTask>> {
    let sql = client_task_sql("t.project_id = $4 AND t.id = $5");
    let mut tx = scope.begin(db).await?;
    let found = tx
        .query_as::<ClientTask>(&sql)
        .bind(scope.workspace_id())
        .bind(scope.client_id())
        .bind(scope.contact_id())
        .bind(project_id)
        .bind(task_id)
        .fetch_optional()
        .await?;
    tx.commit().await?;
    Ok(found)
}

/// A task as staff see it: everything.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Task {
    pub id: i64,
    pub project_id: i64,
    pub title: String,
    pub description: String,
    pub internal_notes: String,
    pub status: TaskStatus,
    pub priority: TaskPriority,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub due_date: Option<Day>,
    pub client_visible: bool,
    pub position: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub completed_at: Option<i64>,
}

const TASK_SQL: &str =
    "SELECT t.id, t.project_id, t.title, t.description, t.internal_notes, t.status, \
     t.priority, t.assignee_id, s.name AS assignee_name, t.due_date, t.client_visible, t.position, \
     t.created_at, t.updated_at, t.completed_at FROM tasks t \
     LEFT JOIN core_staff s ON s.id = t.assignee_id AND s.workspace_id = t.workspace_id \
     WHERE t.workspace_id = $1 AND t.project_id = $2";

pub async fn tasks_for_workspace(db: &Db, workspace_id: i64, project_id: i64) -> Result<Vec<Task>> {
    let sql = format!("{TASK_SQL} ORDER BY t.position, t.id");
    db.query_as::<Task>(&sql)
        .bind(workspace_id)
        .bind(project_id)
        .fetch_all()
        .await
}

pub async fn task_for_workspace(
    db: &Db,
    workspace_id: i64,
    project_id: i64,
    task_id: i64,
) -> Result<Option<Task>> {
    let sql = format!("{TASK_SQL} AND t.id = $3");
    db.query_as::<Task>(&sql)
        .bind(workspace_id)
        .bind(project_id)
        .bind(task_id)
        .fetch_optional()
        .await
}

/// A task's fields as staff enter them (already checked by the caller). `status` and
/// `priority` are the words (`"in_progress"`, `"high"`): [`create_task`] and [`update_task`]
/// refuse any but a [`TaskStatus`]'s and a [`TaskPriority`]'s.
#[derive(Clone, Debug)]
pub struct TaskFields {
    pub title: String,
    pub description: String,
    pub internal_notes: String,
    pub status: TaskStatus,
    pub priority: TaskPriority,
    pub assignee_id: Option<i64>,
    pub due_date: Option<Day>,
    pub client_visible: bool,
}

/// What a notification about a task needs: which task, of which project and client, and
/// whether the client may see it at all.
#[derive(Clone, Debug, Serialize)]
pub struct TaskChange {
    pub workspace_id: i64,
    pub client_id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub task_id: i64,
    pub title: String,
    pub client_visible: bool,
    /// The status before the change; `None` for a new task.
    pub previous_status: Option<TaskStatus>,
    pub status: TaskStatus,
}

impl TaskChange {
    /// Whether the change moved the task to Done (a new task created as done counts).
    pub fn became_done(&self) -> bool {
        self.status == TaskStatus::Done && self.previous_status != Some(TaskStatus::Done)
    }
}

/// An assignee must be a staff user of the workspace.
async fn check_assignee(tx: &mut ScopedTx, workspace_id: i64, assignee: Option<i64>) -> Result<()> {
    portal_core::clients::check_team_member(
        tx,
        workspace_id,
        assignee,
        "Choose someone from the agency's team to assign the task to.",
    )
    .await
}

/// The project's name and client, or not found (another workspace's, or none).
async fn project_of(
    tx: &mut ScopedTx,
    workspace_id: i64,
    project_id: i64,
) -> Result<(String, i64)> {
    let sql = "SELECT name, client_id FROM projects WHERE id = $1 AND workspace_id = $2";
    tx.query_as::<(String, i64)>(sql)
        .bind(project_id)
        .bind(workspace_id)
        .fetch_optional()
        .await?
        .ok_or(Error::NotFound)
}

/// Adds a task at the end of the project's list.
pub async fn create_task(
    tx: &mut ScopedTx,
    workspace_id: i64,
    project_id: i64,
    f: &TaskFields,
) -> Result<TaskChange> {
    let (project_name, client_id) = project_of(tx, workspace_id, project_id).await?;
    check_assignee(tx, workspace_id, f.assignee_id).await?;
    let (status, priority) = (f.status, f.priority);
    let ts = now();
    let sql = "INSERT INTO tasks (project_id, workspace_id, client_id, title, description, internal_notes, \
               status, priority, assignee_id, due_date, client_visible, position, created_at, updated_at, completed_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
               (SELECT COALESCE(MAX(position), -1) + 1 FROM tasks WHERE project_id = $1), $12, $12, $13) RETURNING id";
    let completed = (status == TaskStatus::Done).then_some(ts);
    let id = tx
        .query_scalar::<i64>(sql)
        .bind(project_id)
        .bind(workspace_id)
        .bind(client_id)
        .bind(&f.title)
        .bind(&f.description)
        .bind(&f.internal_notes)
        .bind(status)
        .bind(priority)
        .bind(f.assignee_id)
        .bind(f.due_date)
        .bind(f.client_visible)
        .bind(ts)
        .bind(completed)
        .fetch_one()
        .await?;
    Ok(TaskChange {
        workspace_id,
        client_id,
        project_id,
        project_name,
        task_id: id,
        title: f.title.clone(),
        client_visible: f.client_visible,
        previous_status: None,
        status,
    })
}

/// The task as it is, as a change that has not happened yet — read inside the transaction
/// that changes it, locked on PostgreSQL, so two staff members acting at once see each
/// other's change (one "done" notification, never one about a task just made internal). Not
/// found unless the task is the project's, in this workspace.
async fn change_of(
    tx: &mut ScopedTx,
    workspace_id: i64,
    project_id: i64,
    task_id: i64,
) -> Result<TaskChange> {
    let sql = format!(
        "SELECT t.title, t.client_visible, t.status, p.name, p.client_id FROM tasks t \
         JOIN projects p ON p.id = t.project_id AND p.workspace_id = t.workspace_id \
         WHERE t.id = $1 AND t.project_id = $2 AND t.workspace_id = $3{}",
        tx.lock_for_update_of("t")
    );
    let found = tx
        .query_as::<(String, bool, TaskStatus, String, i64)>(&sql)
        .bind(task_id)
        .bind(project_id)
        .bind(workspace_id)
        .fetch_optional()
        .await?;
    let (title, client_visible, status, project_name, client_id) = found.ok_or(Error::NotFound)?;
    Ok(TaskChange {
        workspace_id,
        client_id,
        project_id,
        project_name,
        task_id,
        title,
        client_visible,
        previous_status: Some(status),
        status,
    })
}

/// Saves every field of a task. One of the two places a task's status changes (see
/// [`set_task_status`]); both answer with the [`TaskChange`] a notification needs.
pub async fn update_task(
    tx: &mut ScopedTx,
    workspace_id: i64,
    project_id: i64,
    task_id: i64,
    f: &TaskFields,
) -> Result<TaskChange> {
    let mut change = change_of(tx, workspace_id, project_id, task_id).await?;
    check_assignee(tx, workspace_id, f.assignee_id).await?;
    let (status, priority) = (f.status, f.priority);
    let ts = now();
    let sql = "UPDATE tasks SET title = $1, description = $2, internal_notes = $3, status = $4, priority = $5, \
               assignee_id = $6, due_date = $7, client_visible = $8, updated_at = $9, \
               completed_at = CASE WHEN $4 = 'done' THEN COALESCE(completed_at, $9) ELSE NULL END \
               WHERE id = $10 AND workspace_id = $11 AND project_id = $12";
    tx.query(sql)
        .bind(&f.title)
        .bind(&f.description)
        .bind(&f.internal_notes)
        .bind(status)
        .bind(priority)
        .bind(f.assignee_id)
        .bind(f.due_date)
        .bind(f.client_visible)
        .bind(ts)
        .bind(task_id)
        .bind(workspace_id)
        .bind(project_id)
        .execute()
        .await?;
    change.title = f.title.clone();
    change.client_visible = f.client_visible;
    change.status = status;
    Ok(change)
}

/// The quick status change from the project's task table.
pub async fn set_task_status(
    tx: &mut ScopedTx,
    workspace_id: i64,
    project_id: i64,
    task_id: i64,
    status: TaskStatus,
) -> Result<TaskChange> {
    let mut change = change_of(tx, workspace_id, project_id, task_id).await?;
    let ts = now();
    let sql = "UPDATE tasks SET status = $1, updated_at = $2, \
               completed_at = CASE WHEN $1 = 'done' THEN COALESCE(completed_at, $2) ELSE NULL END \
               WHERE id = $3 AND workspace_id = $4 AND project_id = $5";
    tx.query(sql)
        .bind(status)
        .bind(ts)
        .bind(task_id)
        .bind(workspace_id)
        .bind(project_id)
        .execute()
        .await?;
    change.status = status;
    Ok(change)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_priorities_are_the_forms_words_and_serialize_as_them() {
        let statuses: Vec<(&str, &str)> = TaskStatus::ALL
            .into_iter()
            .map(|s| (s.as_str(), s.label()))
            .collect();
        assert_eq!(statuses, TASK_STATUSES);
        let priorities: Vec<(&str, &str)> = TaskPriority::ALL
            .into_iter()
            .map(|p| (p.as_str(), p.label()))
            .collect();
        assert_eq!(priorities, PRIORITIES);
        for s in TaskStatus::ALL {
            assert_eq!(TaskStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::json!(s), serde_json::json!(s.as_str()));
        }
        for p in TaskPriority::ALL {
            assert_eq!(TaskPriority::parse(p.as_str()), Some(p));
            assert_eq!(serde_json::json!(p), serde_json::json!(p.as_str()));
        }
        assert!(TaskStatus::read("finished").is_err());
        assert!(TaskPriority::read("").is_err());
    }

    #[test]
    fn done_counts_once() {
        let change = |previous, status| TaskChange {
            workspace_id: 1,
            client_id: 1,
            project_id: 1,
            project_name: String::new(),
            task_id: 1,
            title: String::new(),
            client_visible: true,
            previous_status: previous,
            status,
        };
        assert!(change(None, TaskStatus::Done).became_done());
        assert!(change(Some(TaskStatus::InReview), TaskStatus::Done).became_done());
        assert!(!change(Some(TaskStatus::Done), TaskStatus::Done).became_done());
        assert!(!change(None, TaskStatus::Todo).became_done());
    }
}
