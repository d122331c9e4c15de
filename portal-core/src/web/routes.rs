//! The core's own routes, declared in the same enumerable table modules use (`Routes`), so
//! the gates wrap them alike and the test suite's probes find them without a list of their
//! own. Path parameters are named for the record they hold (`{client}`, `{file}`): a probe
//! fills each from the core's samples by that name.
use crate::app::AppState;
use crate::auth::links::Purpose;
use crate::module::{RouteInfo, Surface, CORE};
use crate::tenancy::Role;
use crate::web::module::Routes;
use crate::web::sign_in::Door;
use crate::web::two_step_setup;
use crate::web::{
    account, admin, api, assets, home, notifications, one_time, sign_in, tenant, two_step,
};
use axum::routing::get;
use axum::Router;

/// The core's routes as the route table lists them.
pub fn infos() -> Vec<RouteInfo> {
    let mut out = portal().infos(CORE, Surface::Portal);
    out.extend(admin().infos(CORE, Surface::Admin));
    out.extend(api().infos(CORE, Surface::Api));
    out
}

/// A workspace's own address outside the three surfaces: its root, which sends a visitor to
/// the right door, and its logo, which sign-in pages show before anyone is signed in. Both
/// run inside tenancy (the logo is the workspace's own file, refused for any other id).
pub fn workspace_root() -> Router<AppState> {
    Router::new()
        .route("/", get(tenant::root))
        .route("/assets/logo/{id}", get(assets::logo))
}

/// The deployment's shared stylesheets: the same bytes for every workspace, so they are
/// served before tenancy runs and cached by the browser across workspaces.
pub fn deployment() -> Router {
    Router::new()
        .route("/assets/portico.css", get(assets::stylesheet))
        .route("/assets/accent.css", get(assets::accent))
}

/// `/portal`: the contact's home, notifications and account, and the doors into them.
pub fn portal() -> Routes {
    Routes::new()
        .get("/", home::home)
        .merge(doors(Door::Portal))
        .merge(one_time_links())
        .get("/notifications", notifications::feed)
        .post("/notifications/read-all", notifications::read_all)
        .post("/notifications/{notification}/open", notifications::open)
        .post("/notifications/{notification}/read", notifications::read)
        .get("/notifications/email", notifications::email_form)
        .post("/notifications/email", notifications::email_save)
        .merge(account(Door::Portal))
}

/// `/admin`: the agency's clients, contacts, files, team, tokens and settings.
pub fn admin() -> Routes {
    use admin::{activity, clients, contacts, files, overview, settings, team, tokens};
    Routes::new()
        .get("/", overview::overview)
        .merge(doors(Door::Admin))
        .merge(account(Door::Admin))
        .get("/clients", clients::list)
        .post("/clients", clients::create)
        .requires_role(Role::Admin)
        .get("/clients/{client}", clients::show)
        .post("/clients/{client}", clients::update)
        .requires_role(Role::Admin)
        .post("/clients/{client}/contacts", clients::add_contact)
        .requires_role(Role::Admin)
        .get("/clients/{client}/activity", activity::log)
        .get("/home", admin::home::show)
        .post("/home", admin::home::save)
        .requires_role(Role::Admin)
        .get("/files", files::list)
        .upload("/files", files::upload)
        .post("/files/limit", files::set_limit)
        .requires_role(Role::Admin)
        .get("/files/{file}", files::fetch)
        .post("/files/{file}/delete", files::delete)
        .requires_role(Role::Admin)
        .get("/contacts/{contact}", contacts::show)
        .post("/contacts/{contact}", contacts::update)
        .requires_role(Role::Admin)
        .post("/contacts/{contact}/permissions", contacts::set_permissions)
        .requires_role(Role::Admin)
        .post("/contacts/{contact}/invite", contacts::send_invite)
        .requires_role(Role::Admin)
        .post("/contacts/{contact}/invite/revoke", contacts::revoke_invite)
        .requires_role(Role::Admin)
        .post("/contacts/{contact}/sessions/end", contacts::end_sessions)
        .requires_role(Role::Admin)
        .post("/contacts/{contact}/view-as", contacts::view_as)
        .post(
            "/contacts/{contact}/two-step/reset",
            contacts::reset_two_step,
        )
        .requires_role(Role::Admin)
        .post("/security", overview::security)
        .get("/audit", overview::audit)
        .get("/team", team::list)
        .post("/team/{staff}/role", team::set_role)
        .post("/team/{staff}/deactivate", team::deactivate)
        .post("/team/{staff}/reactivate", team::reactivate)
        .post("/team/{staff}/two-step/reset", team::reset_two_step)
        .get("/tokens", tokens::list)
        .post("/tokens", tokens::create)
        .post("/tokens/{api_token}/revoke", tokens::revoke)
        .get("/settings", settings::show)
        .post("/settings", settings::save)
        .upload("/settings/logo", settings::upload_logo)
}

/// `/api`: the staff JSON API.
pub fn api() -> Routes {
    use admin::{files, settings};
    Routes::new()
        .get("/me", api::me)
        .get("/settings", settings::api_show)
        .put("/settings", settings::api_save)
        .post("/settings", settings::api_save)
        .get("/files", files::api_list)
        .upload("/files", files::api_upload)
        .get("/files/{file}", files::api_show)
        .delete("/files/{file}", files::api_delete)
        .requires_role(Role::Admin)
        .get("/files/{file}/content", files::fetch)
}

/// Sign-in with a password, the two-step code after it, and sign-out: one handler each for
/// both browser surfaces, told apart by the `Door`.
fn doors(door: Door) -> Routes {
    Routes::new()
        .get("/sign-in", sign_in::form)
        .post("/sign-in", sign_in::submit)
        .get("/sign-in/code", two_step::form)
        .post("/sign-in/code", two_step::submit)
        .post("/sign-out", sign_in::sign_out)
        .doors()
        .with(door)
}

/// Asking for a sign-in or reset link, and each kind of link's page and the form that
/// completes it (a password, for invitations and resets). The `{link}` is the secret itself.
fn one_time_links() -> Routes {
    let ask = |path, purpose: Purpose| {
        Routes::new()
            .get(path, one_time::ask_form)
            .post(path, one_time::ask_submit)
            .with(purpose)
    };
    let link = |path, purpose: Purpose| {
        Routes::new()
            .get(path, one_time::open)
            .post(path, one_time::complete)
            .with(purpose)
    };
    ask("/link", Purpose::SignIn)
        .merge(ask("/reset", Purpose::Reset))
        .merge(link("/link/{link}", Purpose::SignIn))
        .merge(link("/reset/{link}", Purpose::Reset))
        .merge(link("/welcome/{link}", Purpose::Invite))
        .doors()
}

/// One's own account pages, the same on both browser surfaces (see `web::me`).
fn account(door: Door) -> Routes {
    Routes::new()
        .get("/account", account::show)
        .post("/account/password", account::change_password)
        .post("/account/sessions/end-others", account::end_others)
        .post("/account/sessions/{session}/end", account::end_one)
        .get("/account/two-step", two_step_setup::show)
        .post("/account/two-step/setup", two_step_setup::setup)
        .post("/account/two-step/confirm", two_step_setup::confirm)
        .post("/account/two-step/disable", two_step_setup::disable)
        .with(door)
}

#[cfg(test)]
mod tests {
    /// A module may not register a path the core serves: the registry refuses the core's
    /// first segments, and every core route must be under one of them.
    #[test]
    fn every_core_route_is_reserved_from_modules() {
        for r in super::infos() {
            assert!(
                crate::module::is_reserved(r.surface, r.path),
                "{:?} {} is the core's, but a module could claim it",
                r.surface,
                r.path
            );
        }
    }
}
