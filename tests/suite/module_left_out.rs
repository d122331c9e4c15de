//! A module left out of the build leaves nothing behind. Run the suite a second time with
//! `cargo test -p portico-tests --no-default-features --test suite -- module_left_out::` to
//! see the other half: the README's test command does.

use portico_tests::{backends, menu_labels, spawn_app, Backend};

backends!(projects_module_is_present_exactly_when_linked);

async fn projects_module_is_present_exactly_when_linked(backend: Backend) {
    let linked = cfg!(feature = "projects");
    let app = spawn_app(&backend).await;
    let state = &app.state;
    assert_eq!(state.registry.get("projects").is_some(), linked);
    assert_eq!(
        state.routes.iter().any(|r| r.module == "projects"),
        linked,
        "routes"
    );
    assert_eq!(
        state
            .registry
            .permissions()
            .iter()
            .any(|(_, p)| p.key == "can_view_projects"),
        linked,
        "permissions"
    );
    assert_eq!(
        state.templates.has("projects/list.html"),
        linked,
        "templates"
    );
    assert_eq!(
        state
            .catalogue
            .plan("starter")
            .unwrap()
            .grants
            .contains_key("projects"),
        linked,
        "pricing rows"
    );

    let ws = app.workspace("acme", "scale").await;
    let client = app.client(ws, "Client").await;
    let (_, contact) = app
        .contact(ws, client, "c@example.com", &["can_view_projects"])
        .await;
    let (staff, bearer) = app.staff(ws, "s@example.com").await;
    let menu = menu_labels(&app.get("acme", "/portal/", &contact).await.body);
    assert_eq!(
        menu.contains(&"Projects".to_string()),
        linked,
        "menu: {menu:?}"
    );
    let never = app.get("acme", "/portal/no-such-page", &contact).await;
    let projects = app.get("acme", "/portal/projects", &contact).await;
    if linked {
        assert_eq!(projects.status, 200);
    } else {
        assert_eq!((projects.status, &projects.body), (404, &never.body));
    }
    assert_eq!(
        app.get("acme", "/admin/projects", &staff).await.status,
        if linked { 200 } else { 404 }
    );
    assert_eq!(
        app.get("acme", "/api/projects", &bearer).await.status,
        if linked { 200 } else { 404 }
    );
    let overview = app.get("acme", "/admin/", &staff).await;
    assert_eq!(
        overview.body.contains("Projects"),
        linked,
        "admin overview lists only linked modules"
    );
}
