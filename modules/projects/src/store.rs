//! Queries. Every portal query takes a `ClientScope` and binds its workspace and client, so
//! a contact can only ever reach their own client's rows, whatever id they put in a URL; and
//! runs in the scope's transaction, so on PostgreSQL row-level security holds it to that
//! client even if a filter were forgotten.
use portal_core::prelude::*;
use serde::Serialize;

/// The project statuses as (word, label), in [`ProjectStatus::ALL`]'s order: what the
/// staff's forms offer.
pub const STATUSES: &[(&str, &str)] = &[
    ("planning", "Planning"),
    ("in_progress", "In progress"),
    ("in_review", "In review"),
    ("on_hold", "On hold"),
    ("completed", "Completed"),
];

/// Where a project stands (`projects.status`): exactly the words its CHECK constraint
/// allows. Serialized as its stored word, which the templates compare
/// (`p.status == "completed"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectStatus {
    Planning,
    InProgress,
    InReview,
    OnHold,
    Completed,
}

impl ProjectStatus {
    pub const ALL: [ProjectStatus; 5] = [
        ProjectStatus::Planning,
        ProjectStatus::InProgress,
        ProjectStatus::InReview,
        ProjectStatus::OnHold,
        ProjectStatus::Completed,
    ];

    pub fn parse(raw: &str) -> Option<ProjectStatus> {
        ProjectStatus::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ProjectStatus::Planning => "planning",
            ProjectStatus::InProgress => "in_progress",
            ProjectStatus::InReview => "in_review",
            ProjectStatus::OnHold => "on_hold",
            ProjectStatus::Completed => "completed",
        }
    }

    /// As the client and the team read it.
    pub fn label(self) -> &'static str {
        match self {
            ProjectStatus::Planning => "Planning",
            ProjectStatus::InProgress => "In progress",
            ProjectStatus::InReview => "In review",
            ProjectStatus::OnHold => "On hold",
            ProjectStatus::Completed => "Completed",
        }
    }

    /// A status from a form, or the 400 the forms have always answered.
    pub fn read(raw: &str) -> Result<ProjectStatus> {
        ProjectStatus::parse(raw)
            .ok_or_else(|| portal_core::Error::BadRequest("Choose a status.".into()))
    }
}

portal_core::text_enum!(ProjectStatus);

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Project {
    pub id: i64,
    pub client_id: i64,
    pub name: String,
    pub description: String,
    pub status: ProjectStatus,
    pub start_date: Option<Day>,
    pub due_date: Option<Day>,
    pub progress: i64,
    pub updated_at: i64,
    /// The staff member leading it (client feedback about it goes to them).
    pub lead_id: Option<i64>,
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Milestone {
    pub id: i64,
    pub project_id: i64,
    pub title: String,
    pub due_date: Option<Day>,
    pub completed_at: Option<i64>,
}

/// A milestone due soon, with its project's name.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Deadline {
    pub project_id: i64,
    pub project_name: String,
    pub title: String,
    pub due_date: Day,
}

/// The condition that project `column` is one the scope's contact may see: all of the
/// client's, unless staff limited the contact to some (`project_access`). `param` is the
/// placeholder bound to the contact's id.
pub fn visible(column: &str, param: &str) -> String {
    format!(
        "(NOT EXISTS (SELECT 1 FROM project_access a WHERE a.contact_id = {param}) \
         OR EXISTS (SELECT 1 FROM project_access a WHERE a.contact_id = {param} AND a.project_id = {column}))"
    )
}

/// The contacts of the client who can see `project` — holding `can_view_projects`, and
/// `also` if given, and not limited to other projects: who hears about the project's work.
pub async fn audience(
    tx: &mut ScopedTx,
    ws: i64,
    client: i64,
    project: i64,
    also: Option<&str>,
) -> Result<Vec<i64>> {
    let sql = format!(
        "SELECT c.id FROM core_contacts c \
         WHERE c.workspace_id = $1 AND c.client_id = $2 \
           AND EXISTS (SELECT 1 FROM core_contact_permissions p WHERE p.contact_id = c.id AND p.permission = $3) \
           AND ($5 IS NULL OR EXISTS (SELECT 1 FROM core_contact_permissions p WHERE p.contact_id = c.id AND p.permission = $5)) \
           AND {}",
        visible("$4", "c.id")
    );
    tx.query_scalar::<i64>(&sql)
        .bind(ws)
        .bind(client)
        .bind(crate::CAN_VIEW)
        .bind(project)
        .bind(also)
        .fetch_all()
        .await
}

const PROJECT_COLUMNS: &str =
    "id, client_id, name, description, status, start_date, due_date, progress, updated_at, lead_id";

pub async fn list_for_client(db: &Db, scope: ClientScope) -> Result<Vec<Project>> {
    let sql = format!(
        "SELECT {PROJECT_COLUMNS} FROM projects WHERE workspace_id = $1 AND client_id = $2 AND {} \
         ORDER BY status = 'completed', due_date IS NULL, due_date, id",
        visible("id", "$3")
    );
    let mut tx = scope.begin(db).await?;
    let found = tx
        .query_as::<Project>(&sql)
        .bind(scope.workspace_id())
        .bind(scope.client_id())
        .bind(scope.contact_id())
        .fetch_all()
        .await?;
    tx.commit().await?;
    Ok(found)
}

/// The client's open projects, soonest due first (for the home page).
async fn active_in(tx: &mut ScopedTx, scope: ClientScope, limit: i64) -> Result<Vec<Project>> {
    let sql = format!(
        "SELECT {PROJECT_COLUMNS} FROM projects WHERE workspace_id = $1 AND client_id = $2 \
         AND status <> 'completed' AND {} ORDER BY due_date IS NULL, due_date, id LIMIT $3",
        visible("id", "$4")
    );
    tx.query_as::<Project>(&sql)
        .bind(scope.workspace_id())
        .bind(scope.client_id())
        .bind(limit)
        .bind(scope.contact_id())
        .fetch_all()
        .await
}

/// The home page's summary — open projects and upcoming deadlines — on the scoped
/// connection the home's widgets share.
pub async fn summary_in(
    tx: &mut ScopedTx,
    scope: ClientScope,
    projects: i64,
    deadlines: i64,
) -> Result<(Vec<Project>, Vec<Deadline>)> {
    let active = active_in(tx, scope, projects).await?;
    let due = deadlines_in(tx, scope, deadlines).await?;
    Ok((active, due))
}

pub async fn get_for_client(db: &Db, scope: ClientScope, id: i64) -> Result<Option<Project>> {
    let sql = format!(
        "SELECT {PROJECT_COLUMNS} FROM projects WHERE workspace_id = $1 AND client_id = $2 AND id = $3 AND {}",
        visible("id", "$4")
    );
    let mut tx = scope.begin(db).await?;
    let found = tx
        .query_as::<Project>(&sql)
        .bind(scope.workspace_id())
        .bind(scope.client_id())
        .bind(id)
        .bind(scope.contact_id())
        .fetch_optional()
        .await?;
    tx.commit().await?;
    Ok(found)
}

pub async fn milestones_for_client(
    db: &Db,
    scope: ClientScope,
    project_id: i64,
) -> Result<Vec<Milestone>> {
    let sql = format!(
        "SELECT id, project_id, title, due_date, completed_at FROM milestones \
         WHERE workspace_id = $1 AND client_id = $2 AND project_id = $3 AND {} ORDER BY position, due_date, id",
        visible("project_id", "$4")
    );
    let mut tx = scope.begin(db).await?;
    let found = tx
        .query_as::<Milestone>(&sql)
        .bind(scope.workspace_id())
        .bind(scope.client_id())
        .bind(project_id)
        .bind(scope.contact_id())
        .fetch_all()
        .await?;
    tx.commit().await?;
    Ok(found)
}

/// Open milestones due from today on, soonest first.
pub async fn upcoming_deadlines(db: &Db, scope: ClientScope, limit: i64) -> Result<Vec<Deadline>> {
    let mut tx = scope.begin(db).await?;
    let found = deadlines_in(&mut tx, scope, limit).await?;
    tx.commit().await?;
    Ok(found)
}

async fn deadlines_in(tx: &mut ScopedTx, scope: ClientScope, limit: i64) -> Result<Vec<Deadline>> {
    let sql = format!(
        "SELECT m.project_id, p.name AS project_name, m.title, m.due_date FROM milestones m \
         JOIN projects p ON p.id = m.project_id AND p.workspace_id = m.workspace_id AND p.client_id = m.client_id \
         WHERE m.workspace_id = $1 AND m.client_id = $2 AND m.completed_at IS NULL \
         AND m.due_date IS NOT NULL AND m.due_date >= $3 AND {} \
         ORDER BY m.due_date, m.id LIMIT $4",
        visible("p.id", "$5")
    );
    tx.query_as::<Deadline>(&sql)
        .bind(scope.workspace_id())
        .bind(scope.client_id())
        .bind(Day::today())
        .bind(limit)
        .bind(scope.contact_id())
        .fetch_all()
        .await
}

/// A project with its client's name, for staff screens.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct StaffProject {
    pub id: i64,
    pub client_id: i64,
    pub client_name: String,
    pub name: String,
    pub status: ProjectStatus,
    pub due_date: Option<Day>,
    pub progress: i64,
}

pub async fn list_for_workspace(db: &Db, workspace_id: i64) -> Result<Vec<StaffProject>> {
    let sql = "SELECT p.id, p.client_id, c.name AS client_name, p.name, p.status, p.due_date, p.progress \
               FROM projects p JOIN core_clients c ON c.id = p.client_id \
               WHERE p.workspace_id = $1 ORDER BY c.name, p.due_date IS NULL, p.due_date, p.id";
    db.query_as::<StaffProject>(sql)
        .bind(workspace_id)
        .fetch_all()
        .await
}

pub async fn get_for_workspace(db: &Db, workspace_id: i64, id: i64) -> Result<Option<Project>> {
    let sql = format!("SELECT {PROJECT_COLUMNS} FROM projects WHERE workspace_id = $1 AND id = $2");
    db.query_as::<Project>(&sql)
        .bind(workspace_id)
        .bind(id)
        .fetch_optional()
        .await
}

pub async fn milestones_for_workspace(
    db: &Db,
    workspace_id: i64,
    project_id: i64,
) -> Result<Vec<Milestone>> {
    let sql = "SELECT id, project_id, title, due_date, completed_at FROM milestones \
               WHERE workspace_id = $1 AND project_id = $2 ORDER BY position, due_date, id";
    db.query_as::<Milestone>(sql)
        .bind(workspace_id)
        .bind(project_id)
        .fetch_all()
        .await
}

/// A project's own fields as staff edit them (already checked by the caller).
#[derive(Clone, Debug)]
pub struct ProjectFields {
    pub name: String,
    pub description: String,
    pub status: ProjectStatus,
    pub start_date: Option<Day>,
    pub due_date: Option<Day>,
    pub progress: i64,
    /// Checked here to be staff of the workspace.
    pub lead_id: Option<i64>,
}

/// What a "project update" notification needs: the project as it is now, and what changed.
#[derive(Clone, Debug, Serialize)]
pub struct ProjectUpdated {
    pub workspace_id: i64,
    pub client_id: i64,
    pub project_id: i64,
    pub name: String,
    pub status: ProjectStatus,
    pub progress: i64,
    pub previous_status: ProjectStatus,
    pub previous_progress: i64,
}

/// Saves staff's edit of a project: the one place a project's own fields change.
pub async fn update_project(
    tx: &mut ScopedTx,
    workspace_id: i64,
    id: i64,
    f: &ProjectFields,
) -> Result<ProjectUpdated> {
    // Read in the transaction that changes it (locked on PostgreSQL): "what changed" is then
    // exactly this change.
    let sql = format!(
        "SELECT {PROJECT_COLUMNS} FROM projects WHERE workspace_id = $1 AND id = $2{}",
        tx.lock_for_update()
    );
    let before = tx
        .query_as::<Project>(&sql)
        .bind(workspace_id)
        .bind(id)
        .fetch_optional()
        .await?
        .ok_or(portal_core::Error::NotFound)?;
    let sql = "UPDATE projects SET name = $1, description = $2, status = $3, start_date = $4, due_date = $5, \
               progress = $6, updated_at = $7, lead_id = $10 WHERE id = $8 AND workspace_id = $9";
    portal_core::clients::check_team_member(
        tx,
        workspace_id,
        f.lead_id,
        "Choose someone from the agency's team to lead the project.",
    )
    .await?;
    tx.query(sql)
        .bind(&f.name)
        .bind(&f.description)
        .bind(f.status)
        .bind(f.start_date)
        .bind(f.due_date)
        .bind(f.progress)
        .bind(now())
        .bind(id)
        .bind(workspace_id)
        .bind(f.lead_id)
        .execute()
        .await?;
    Ok(ProjectUpdated {
        workspace_id,
        client_id: before.client_id,
        project_id: id,
        name: f.name.clone(),
        status: f.status,
        progress: f.progress,
        previous_status: before.status,
        previous_progress: before.progress,
    })
}

/// What seeding (demo data, tests) needs to create a project.
pub struct NewProject<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub status: ProjectStatus,
    pub start_date: Option<Day>,
    pub due_date: Option<Day>,
    pub progress: i64,
    /// (title, due date, done)
    pub milestones: &'a [(&'a str, Option<Day>, bool)],
}

impl<'a> NewProject<'a> {
    /// A project in progress with nothing else to it: what other modules' seeds and the tests
    /// hang their records on.
    pub fn in_progress(name: &'a str, progress: i64) -> NewProject<'a> {
        NewProject {
            name,
            description: "",
            status: ProjectStatus::InProgress,
            start_date: None,
            due_date: None,
            progress,
            milestones: &[],
        }
    }
}

pub async fn create(db: &Db, workspace_id: i64, client_id: i64, p: &NewProject<'_>) -> Result<i64> {
    let ts = now();
    let mut tx = ScopedTx::begin_staff_write(db, workspace_id).await?;
    let sql = "INSERT INTO projects (workspace_id, client_id, name, description, status, start_date, due_date, progress, created_at, updated_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id";
    let id = tx
        .query_scalar::<i64>(sql)
        .bind(workspace_id)
        .bind(client_id)
        .bind(p.name)
        .bind(p.description)
        .bind(p.status)
        .bind(p.start_date)
        .bind(p.due_date)
        .bind(p.progress)
        .bind(ts)
        .fetch_one()
        .await?;
    let sql = "INSERT INTO milestones (project_id, workspace_id, client_id, title, due_date, completed_at, position) \
               VALUES ($1, $2, $3, $4, $5, $6, $7)";
    for (pos, (title, due, done)) in p.milestones.iter().enumerate() {
        tx.query(sql)
            .bind(id)
            .bind(workspace_id)
            .bind(client_id)
            .bind(*title)
            .bind(*due)
            .bind(done.then_some(ts))
            .bind(pos as i64)
            .execute()
            .await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// The client's project named `p.name`, made if it has none: other modules' seeds hang their
/// records on the projects this module's seed made, so the demo reads like one agency's work
/// rather than a list of duplicates.
pub async fn find_or_create(
    db: &Db,
    workspace_id: i64,
    client_id: i64,
    p: &NewProject<'_>,
) -> Result<i64> {
    let sql = "SELECT id FROM projects WHERE workspace_id = $1 AND client_id = $2 AND name = $3 \
               ORDER BY id LIMIT 1";
    let found = db
        .query_scalar::<i64>(sql)
        .bind(workspace_id)
        .bind(client_id)
        .bind(p.name)
        .fetch_optional()
        .await?;
    match found {
        Some(id) => Ok(id),
        None => create(db, workspace_id, client_id, p).await,
    }
}

/// The ids `seed_examples` made, for the routes that take them.
pub struct Seeded {
    /// The project in progress.
    pub project: i64,
    /// A client-visible task of it.
    pub task: i64,
    /// A staff reply on it.
    pub comment: i64,
}

/// Three projects in different states, with milestones around today; the one in progress
/// also has tasks (client-visible, internal, done) and a thread of replies and an internal
/// note, written by the workspace's first staff user (one is added if it has none yet) and,
/// if the client has a contact, by them.
pub async fn seed_examples(db: &Db, workspace_id: i64, client_id: i64) -> Result<Seeded> {
    let d = Day::from_today;
    let (start, end, m1, m2, m3, m4) = (d(-40), d(24), d(-25), d(-8), d(6), d(17));
    let projects = [
        NewProject {
            name: "Website redesign",
            description: "A faster, clearer site that turns visitors into customers.",
            status: ProjectStatus::InProgress,
            start_date: Some(start),
            due_date: Some(end),
            progress: 60,
            milestones: &[
                ("Discovery workshop", Some(m1), true),
                ("Wireframes approved", Some(m2), true),
                ("Visual design", Some(m3), false),
                ("Build and content", Some(m4), false),
                ("Launch", Some(end), false),
            ],
        },
        NewProject {
            name: "Spring campaign",
            description: "Social and email campaign for the spring launch.",
            status: ProjectStatus::Planning,
            start_date: Some(m3),
            due_date: Some(d(60)),
            progress: 5,
            milestones: &[
                ("Campaign brief", Some(m3), false),
                ("Creative concepts", Some(d(30)), false),
            ],
        },
        NewProject {
            name: "Brand refresh",
            description: "New logo, palette and brand guidelines.",
            status: ProjectStatus::Completed,
            start_date: Some(d(-120)),
            due_date: Some(d(-50)),
            progress: 100,
            milestones: &[("Guidelines delivered", Some(d(-50)), true)],
        },
    ];
    let mut ids = Vec::new();
    for p in &projects {
        ids.push(create(db, workspace_id, client_id, p).await?);
    }
    let project = ids.first().copied().unwrap_or_default();
    let (task, comment) = seed_work(db, workspace_id, client_id, project).await?;
    Ok(Seeded {
        project,
        task,
        comment,
    })
}

/// The example project's tasks and thread; returns a client-visible task and a staff reply.
async fn seed_work(db: &Db, workspace_id: i64, client_id: i64, project: i64) -> Result<(i64, i64)> {
    use crate::comments::{post_staff_comment, NOTE, REPLY};
    use crate::tasks::{create_task, TaskFields, TaskPriority, TaskStatus};
    let (email, name) = ("sam.rivera@agency.example", "Sam Rivera");
    let staff = portal_core::team::demo_staff(db, workspace_id, email, name).await?;
    let task = |title: &str,
                description: &str,
                notes: &str,
                status: TaskStatus,
                priority: TaskPriority,
                due: i64,
                shown: bool| TaskFields {
        title: title.into(),
        description: description.into(),
        internal_notes: notes.into(),
        status,
        priority,
        assignee_id: Some(staff),
        due_date: Some(Day::from_today(due)),
        client_visible: shown,
    };
    let tasks = [
        task(
            "Homepage design",
            "The new homepage, desktop and mobile, for your review.",
            "Use the hero variant B; A tested worse.",
            TaskStatus::InReview,
            TaskPriority::High,
            3,
            true,
        ),
        task(
            "Content migration",
            "Moving your existing pages and blog posts to the new site.",
            "Legacy CMS export is missing 2019 posts; ask IT for a DB dump.",
            TaskStatus::InProgress,
            TaskPriority::Normal,
            12,
            true,
        ),
        task(
            "Sitemap and navigation",
            "The structure of the new site.",
            "",
            TaskStatus::Done,
            TaskPriority::Normal,
            -10,
            true,
        ),
        task(
            "Hosting cost review",
            "",
            "Internal margin check: hosting resold at cost plus 20%.",
            TaskStatus::Todo,
            TaskPriority::Low,
            8,
            false,
        ),
    ];
    let mut shown = None;
    let mut tx = ScopedTx::begin_staff_write(db, workspace_id).await?;
    for t in &tasks {
        let made = create_task(&mut tx, workspace_id, project, t).await?;
        if t.client_visible {
            shown.get_or_insert(made.task_id);
        }
    }
    let shown = shown.unwrap_or_default();
    let reply = post_staff_comment(&mut tx, workspace_id, staff, project, None, REPLY,
        "The homepage design is ready for your review: we kept the navigation you liked in the wireframes.").await?;
    post_staff_comment(
        &mut tx,
        workspace_id,
        staff,
        project,
        None,
        NOTE,
        "Internal: client tends to approve late on Fridays; schedule the review call for Thursday.",
    )
    .await?;
    post_staff_comment(
        &mut tx,
        workspace_id,
        staff,
        project,
        Some(shown),
        REPLY,
        "Desktop and mobile mock-ups are attached to this task.",
    )
    .await?;
    tx.commit().await?;
    let contact = portal_core::clients::first_contact(db, workspace_id, client_id).await?;
    if let Some(contact) = contact {
        let sql = "INSERT INTO comments (workspace_id, client_id, project_id, task_id, kind, body, author_contact_id, created_at) \
                   VALUES ($1, $2, $3, NULL, 'reply', $4, $5, $6)";
        db.query(sql)
            .bind(workspace_id)
            .bind(client_id)
            .bind(project)
            .bind("Looks great! Could the hero image be a little brighter?")
            .bind(contact)
            .bind(now())
            .execute()
            .await?;
    }
    Ok((shown, reply.comment_id))
}

/// A project of the contact's client, and whether staff let the contact see it.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct AccessRow {
    pub id: i64,
    pub name: String,
    pub granted: bool,
}

/// The client's projects with the contact's access to each: `(limited, rows)`, where
/// `limited` says whether the contact sees only the granted ones.
pub async fn access_of(
    db: &Db,
    workspace_id: i64,
    client_id: i64,
    contact_id: i64,
) -> Result<(bool, Vec<AccessRow>)> {
    let sql = "SELECT p.id, p.name, EXISTS (SELECT 1 FROM project_access a WHERE a.contact_id = $3 AND a.project_id = p.id) AS granted \
               FROM projects p WHERE p.workspace_id = $1 AND p.client_id = $2 ORDER BY LOWER(p.name), p.id";
    let rows = db
        .query_as::<AccessRow>(sql)
        .bind(workspace_id)
        .bind(client_id)
        .bind(contact_id)
        .fetch_all()
        .await?;
    Ok((rows.iter().any(|r| r.granted), rows))
}

/// Limits a contact to `projects` (all of them their client's), or lifts the limit (`None`).
pub async fn set_access(
    db: &Db,
    workspace_id: i64,
    client_id: i64,
    contact_id: i64,
    projects: Option<&[i64]>,
) -> Result<()> {
    let mut tx = ScopedTx::begin_staff_write(db, workspace_id).await?;
    tx.query("DELETE FROM project_access WHERE contact_id = $1 AND workspace_id = $2")
        .bind(contact_id)
        .bind(workspace_id)
        .execute()
        .await?;
    let sql = "INSERT INTO project_access (contact_id, project_id, workspace_id) \
               SELECT $1, id, workspace_id FROM projects WHERE id = $2 AND workspace_id = $3 AND client_id = $4";
    for id in projects.unwrap_or(&[]) {
        // Only the client's own projects: anything else inserts nothing and is refused.
        let n = tx
            .query(sql)
            .bind(contact_id)
            .bind(*id)
            .bind(workspace_id)
            .bind(client_id)
            .execute()
            .await?;
        if n != 1 {
            return Err(portal_core::Error::BadRequest(format!(
                "Project {id} is not one of this client's projects."
            )));
        }
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{ProjectStatus, STATUSES};

    #[test]
    fn statuses_are_the_forms_words_and_serialize_as_them() {
        let words: Vec<(&str, &str)> = ProjectStatus::ALL
            .into_iter()
            .map(|s| (s.as_str(), s.label()))
            .collect();
        assert_eq!(words, STATUSES);
        for s in ProjectStatus::ALL {
            assert_eq!(ProjectStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::json!(s), serde_json::json!(s.as_str()));
        }
        assert!(ProjectStatus::read("done").is_err());
    }
}
