//! Feedback turned into project work: a task of the feedback's project, for its assignee,
//! holding the client's words, shown to the client (they asked for it) — and the feedback
//! In progress, linked to it.
use portal_core::prelude::*;
use portico_projects::tasks::{self, TaskFields, TaskPriority, TaskStatus};

use crate::news;
use crate::status::Status;
use crate::store::{self, Feedback};

pub async fn turn_into_task(
    state: &AppState,
    ctx: &StaffContext,
    tx: &mut ScopedTx,
    f: &Feedback,
) -> Result<i64> {
    let Some(project) = f.project_id else {
        return Err(Error::Conflict(
            "This feedback names no project: a task needs one. Reply, or add the work to a project yourself."
                .into(),
        ));
    };
    if f.task_id.is_some() {
        return Err(Error::Conflict(
            "This feedback is already a task of its project.".into(),
        ));
    }
    let fields = TaskFields {
        title: f.subject.clone(),
        description: f.body.clone(),
        internal_notes: format!(
            "From feedback by {} ({}), turned into a task by {}.",
            f.sent_by,
            f.category.as_deref().unwrap_or("no category"),
            ctx.user.name
        ),
        status: TaskStatus::Todo,
        priority: TaskPriority::Normal,
        assignee_id: f.assignee_id,
        due_date: None,
        client_visible: true,
    };
    let change = tasks::create_task(tx, f.workspace_id, project, &fields).await?;
    store::link_task(tx, f, change.task_id).await?;
    if store::set_status(tx, f, Status::InProgress).await? {
        news::to_contact(state, &ctx.tenant, tx, f, None, Some(Status::InProgress)).await?;
    }
    Ok(change.task_id)
}
