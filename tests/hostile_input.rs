//! Input meant to exhaust the server: text fields of many megabytes in upload forms, which
//! must be refused while they stream (413), with memory barely moving and nothing stored.
//! Every upload route a module registers is found in the route table, so the next module's
//! upload form is held to the same bound without editing this file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use portal_core::module::Surface;
use portico_tests::{backends, concrete_path, snapshot, spawn_app, As, Backend, MemoryPeak};

backends!(
    a_50_mb_text_field_is_refused_while_it_streams,
    every_upload_form_bounds_its_text_fields,
);

async fn a_50_mb_text_field_is_refused_while_it_streams(backend: Backend) {
    let app = spawn_app(&backend).await;
    let ws = app.workspace("acme", "growth").await;
    let client = app.client(ws, "Client Co").await;
    let (_, dana) = app
        .contact(ws, client, "dana@client.example", &app.all_permissions())
        .await;
    let (staff, _) = app.staff(ws, "owner@agency.example").await;
    // A contact's feedback message (the form the review found), and the core's file manager.
    let mut forms: Vec<(&str, &As, &str)> = vec![("/admin/files", &staff, "notes")];
    if cfg!(feature = "feedback") {
        forms.push(("/portal/feedback", &dana, "body"));
    }
    for (path, who, field) in forms {
        let before = snapshot(app.db()).await;
        let memory = MemoryPeak::start();
        let (status, body) = app
            .post_huge_field("acme", path, who, field, 50 << 20)
            .await;
        let grew = memory.stop();
        assert_eq!(status, 413, "{path}: {body}");
        assert!(
            body.contains("longer than this form accepts"),
            "{path}: a clear message: {body}"
        );
        assert!(
            grew < 16 << 20,
            "{path}: resident memory rose by {} MB while refusing the field",
            grew >> 20
        );
        assert_eq!(snapshot(app.db()).await, before, "{path}: nothing stored");
    }
}

async fn every_upload_form_bounds_its_text_fields(backend: Backend) {
    let app = spawn_app(&backend).await;
    let ws = app.workspace("acme", "scale").await;
    app.take_every_addon(ws, "scale").await;
    let client = app.client(ws, "Client Co").await;
    let (_, contact) = app
        .contact(ws, client, "dana@client.example", &app.all_permissions())
        .await;
    let (staff, bearer) = app.staff(ws, "owner@agency.example").await;
    let samples = app.seed_modules(ws, client).await;
    // The seeded deliverable is with the client; once they ask for a revision its files
    // may change again, so its upload form is read rather than refused up front.
    #[cfg(feature = "approvals")]
    app.sql(
        "UPDATE approvals SET status = 'revision_requested' WHERE workspace_id = $1",
        ws,
    )
    .await;
    // The core's own upload forms, and every one the modules registered.
    let mut targets: Vec<(String, &As)> = vec![
        ("/admin/files".into(), &staff),
        ("/api/files".into(), &bearer),
        ("/admin/settings/logo".into(), &staff),
    ];
    for route in app.state.routes.iter().filter(|r| r.upload) {
        let who = match route.surface {
            Surface::Portal => &contact,
            Surface::Admin => &staff,
            Surface::Api => &bearer,
            Surface::Hook => &As::Anonymous,
        };
        targets.push((concrete_path(route, &samples), who));
    }
    #[cfg(feature = "feedback")]
    assert!(
        targets.iter().any(|(p, _)| p == "/portal/feedback"),
        "module upload routes are found in the route table: {targets:?}"
    );
    let before = snapshot(app.db()).await;
    for (path, who) in &targets {
        let (status, body) = app
            .post_huge_field("acme", path, who, "notes", 2 << 20)
            .await;
        assert_eq!(status, 413, "{path}: {body}");
    }
    assert_eq!(snapshot(app.db()).await, before, "nothing stored");
}
