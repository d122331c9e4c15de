//! The client's view: project list, project detail, the home-page widgets. Tasks and
//! replies are in `portal_tasks`.
use axum::extract::{Path, State};
use axum::response::Html;
use portal_core::prelude::*;
use serde::Serialize;

use crate::portal_tasks;
use crate::store::{self, Milestone, Project, ProjectStatus};
use crate::tasks::{self, TaskStatus};

pub const SUMMARY_WIDGET: &str = "summary";
pub const TASKS_WIDGET: &str = "tasks";

/// A project as the templates show it.
#[derive(Serialize)]
struct ProjectView {
    #[serde(flatten)]
    project: Project,
    href: String,
    status_label: &'static str,
    /// Days until the due date; negative when overdue. `None` without a due date.
    days_left: Option<i64>,
    overdue: bool,
}

fn view(ctx: &PortalContext, project: Project) -> ProjectView {
    let days_left = project.due_date.map(Day::days_from_today);
    ProjectView {
        href: ctx.link(&format!("/projects/{}", project.id)),
        status_label: project.status.label(),
        overdue: project.status != ProjectStatus::Completed && days_left.is_some_and(|d| d < 0),
        days_left,
        project,
    }
}

#[derive(Serialize)]
struct MilestoneView {
    #[serde(flatten)]
    milestone: Milestone,
    done: bool,
    overdue: bool,
}

pub async fn list(State(state): State<AppState>, ctx: PortalContext) -> Result<Html<String>> {
    let projects = store::list_for_client(&state.db, ctx.scope()).await?;
    let (done, active): (Vec<_>, Vec<_>) = projects
        .into_iter()
        .map(|p| view(&ctx, p))
        .partition(|p| p.project.status == ProjectStatus::Completed);
    let deadlines = store::upcoming_deadlines(&state.db, ctx.scope(), 5).await?;
    ctx.render(
        "projects/list.html",
        context! { active => active, completed => done, deadlines => deadlines },
    )
}

/// An id that is not a number is a path that does not exist, not a malformed request.
pub(crate) fn parse_id(raw: &str) -> Result<i64> {
    raw.parse().map_err(|_| Error::NotFound)
}

pub async fn detail(
    State(state): State<AppState>,
    ctx: PortalContext,
    Path(id): Path<String>,
) -> Result<Html<String>> {
    let id = parse_id(&id)?;
    // Another client's project and a project that does not exist look the same.
    let project = store::get_for_client(&state.db, ctx.scope(), id)
        .await?
        .ok_or(Error::NotFound)?;
    let milestones: Vec<MilestoneView> = store::milestones_for_client(&state.db, ctx.scope(), id)
        .await?
        .into_iter()
        .map(|m| MilestoneView {
            done: m.completed_at.is_some(),
            overdue: m.completed_at.is_none()
                && m.due_date.is_some_and(|d| d.days_from_today() < 0),
            milestone: m,
        })
        .collect();
    let completed = milestones.iter().filter(|m| m.done).count();
    let tasks = portal_tasks::task_views(&ctx, &state, id).await?;
    let thread = portal_tasks::thread(&ctx, &state, id, None).await?;
    ctx.record_view(&format!("project:{id}"), &project.name)
        .await;
    ctx.render(
        "projects/detail.html",
        context! {
            project => view(&ctx, project),
            milestones => milestones,
            milestones_done => completed,
            tasks => tasks,
            thread => thread,
            back => ctx.link("/projects"),
        },
    )
}

/// A home page widget: the projects summary, or the ongoing tasks in the statuses the
/// workspace chose.
pub async fn widget(w: HomeWidget<'_>) -> Result<Option<String>> {
    let HomeWidget {
        key,
        choices: statuses,
        ctx,
        tx,
    } = w;
    let scope = ctx.scope();
    if key == SUMMARY_WIDGET {
        let (active, deadlines) = store::summary_in(tx, scope, 5, 3).await?;
        let projects: Vec<ProjectView> = active.into_iter().map(|p| view(ctx, p)).collect();
        let html = ctx.render_fragment(
            "projects/widget.html",
            context! { projects => projects, deadlines => deadlines, all => ctx.link("/projects") },
        )?;
        return Ok(Some(html));
    }
    if key == TASKS_WIDGET {
        let tasks: Vec<_> = tasks::ongoing_in(tx, scope, &statuses, 8)
            .await?
            .into_iter()
            .map(|t| {
                let overdue = t.task.status != TaskStatus::Done
                    && t.task.due_date.is_some_and(|d| d.days_from_today() < 0);
                context! {
                    title => t.task.title,
                    project => t.project_name,
                    status => t.task.status,
                    status_label => t.task.status.label(),
                    priority => t.task.priority,
                    priority_label => t.task.priority.label(),
                    due_date => t.task.due_date,
                    overdue => overdue,
                    href => ctx.link(&format!("/projects/{}/tasks/{}", t.task.project_id, t.task.id)),
                }
            })
            .collect();
        let html =
            ctx.render_fragment("projects/widget_tasks.html", context! { tasks => tasks })?;
        return Ok(Some(html));
    }
    Ok(None)
}
