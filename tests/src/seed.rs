//! The records a test starts from, made through the core's own functions: workspaces,
//! clients, contacts and staff with their sessions.
use portal_core::auth::links::Purpose;
use portal_core::db::ScopedTx;
use portal_core::web::session::{self, PORTAL_COOKIE};
use portal_core::workspace::{self, EntitlementChange};

use crate::{cookie_value, As, TestApp};

/// The password [`TestApp::joined_contact`]'s contacts chose when they accepted their invitation.
pub const CONTACT_PASSWORD: &str = "a password of one's own";

impl TestApp {
    /// The workspace (on `plan`) takes every add-on its plan may: tests that reach every
    /// module reach those sold as add-ons too.
    pub async fn take_every_addon(&self, workspace_id: i64, plan: &str) {
        for addon in self.state.catalogue.addons() {
            if addon.available_to.is_empty() || addon.available_to.iter().any(|p| p == plan) {
                workspace::apply_change(
                    self.db(),
                    workspace_id,
                    &workspace::EntitlementChange::AddAddon(addon.id.clone()),
                )
                .await
                .unwrap();
            }
        }
    }

    /// Seeds a workspace on a plan.
    pub async fn workspace(&self, slug: &str, plan: &str) -> i64 {
        workspace::create(self.db(), slug, &format!("{slug} agency"), plan)
            .await
            .unwrap()
    }

    pub async fn client(&self, workspace_id: i64, name: &str) -> i64 {
        portal_core::clients::create_client(self.db(), workspace_id, name)
            .await
            .unwrap()
    }

    /// A contact with the given permissions, signed in.
    pub async fn contact(
        &self,
        workspace_id: i64,
        client_id: i64,
        email: &str,
        permissions: &[&str],
    ) -> (i64, As) {
        let db = self.db();
        let id = portal_core::clients::create_contact(db, workspace_id, client_id, email, email)
            .await
            .unwrap();
        portal_core::clients::set_permissions(db, id, permissions)
            .await
            .unwrap();
        let token =
            session::create_portal_session(&self.state, workspace_id, id, &Default::default())
                .await
                .unwrap();
        (id, As::Contact(token))
    }

    /// A contact who accepted their invitation, signed in: created with `permissions` as
    /// [`TestApp::contact`] creates one, invited, and through the portal's own invitation page
    /// (`/portal/welcome/{token}`) has chosen [`CONTACT_PASSWORD`], which signed them in. Their
    /// id, and the session that sign-in started.
    ///
    /// The invitation is issued as the core issues one (`links::issue`), but not mailed: the
    /// tests that use this read the mail their own subject sends, and an invitation among it
    /// would be noise. Everything from the link on is the real path: the
    /// page, the form with its CSRF cookie, `links::redeem`, the password, the sign-in.
    pub async fn joined_contact(
        &self,
        workspace_id: i64,
        client_id: i64,
        email: &str,
        permissions: &[&str],
    ) -> (i64, As) {
        let db = self.db();
        let id = portal_core::clients::create_contact(db, workspace_id, client_id, email, email)
            .await
            .unwrap();
        portal_core::clients::set_permissions(db, id, permissions)
            .await
            .unwrap();
        let slug: String = db
            .query_scalar("SELECT slug FROM workspaces WHERE id = $1")
            .bind(workspace_id)
            .fetch_one()
            .await
            .unwrap();
        let invite = Purpose::Invite;
        let mut tx = ScopedTx::begin_unscoped_write(db).await.unwrap();
        let (token, _) = portal_core::auth::links::issue(&mut tx, workspace_id, id, invite, None)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let path = format!("/portal/{}/{token}", invite.segment());
        let password = [("new", CONTACT_PASSWORD), ("confirm", CONTACT_PASSWORD)];
        let accepted = self.fill_in(&slug, &path, &path, &password).await;
        assert_eq!(
            (accepted.status, accepted.location()),
            (303, format!("/w/{slug}/portal/")),
            "{email} could not accept the invitation: {}",
            accepted.body
        );
        let session = cookie_value(&accepted, PORTAL_COOKIE)
            .unwrap_or_else(|| panic!("accepting the invitation signed {email} in"));
        (id, As::Contact(session))
    }

    /// Runs a statement straight against the database, as another instance or a SQL console
    /// would, binding `$1` to `id`.
    pub async fn sql(&self, statement: &str, id: i64) {
        self.db().query(statement).bind(id).execute().await.unwrap();
    }

    /// Every permission the running modules declare.
    pub fn all_permissions(&self) -> Vec<&'static str> {
        self.state
            .registry
            .permissions()
            .into_iter()
            .map(|(_, p)| p.key)
            .collect()
    }

    /// A staff owner with a signed-in admin session and an API token.
    pub async fn staff(&self, workspace_id: i64, email: &str) -> (As, As) {
        let (_, cookie, bearer) = self.staff_in_role(workspace_id, email, "owner").await;
        (cookie, bearer)
    }

    /// A staff member in `role` (owner, admin, member): their id, a signed-in admin session
    /// and an API token.
    pub async fn staff_in_role(&self, workspace_id: i64, email: &str, role: &str) -> (i64, As, As) {
        let id =
            portal_core::clients::create_staff_user(self.db(), workspace_id, email, email, role)
                .await
                .unwrap();
        let cookie =
            session::create_staff_session(&self.state, workspace_id, id, &Default::default())
                .await
                .unwrap();
        let bearer = session::create_api_token(self.db(), workspace_id, id, "test", 90)
            .await
            .unwrap();
        (id, As::Staff(cookie), As::Bearer(bearer))
    }

    /// A project of `client`, in progress, with nothing else to it.
    #[cfg(feature = "projects")]
    pub async fn project(&self, workspace_id: i64, client_id: i64, name: &str) -> i64 {
        let new = portico_projects::store::NewProject::in_progress(name, 0);
        portico_projects::store::create(self.db(), workspace_id, client_id, &new)
            .await
            .unwrap()
    }

    /// A staff member with the `member` role (looks, does not manage), signed in to the admin.
    pub async fn member(&self, workspace_id: i64, email: &str, name: &str) -> As {
        let id =
            portal_core::clients::create_staff_user(self.db(), workspace_id, email, name, "member")
                .await
                .unwrap();
        As::Staff(
            session::create_staff_session(&self.state, workspace_id, id, &Default::default())
                .await
                .unwrap(),
        )
    }

    /// Applies an entitlement change the way the operator's CLI does: straight to the
    /// database, bypassing this process's cache invalidation.
    pub async fn change_out_of_process(&self, workspace_id: i64, change: EntitlementChange) {
        workspace::apply_change(self.db(), workspace_id, &change)
            .await
            .unwrap();
    }
}
