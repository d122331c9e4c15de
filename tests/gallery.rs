//! Shared files: staff share from the file manager; a client sees exactly what was shared
//! with it, searches and filters it, downloads it (logged), sees images in the gallery, and
//! loses it the moment it is unshared.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use portico_tests::{backends, snapshot, spawn_app, As, Backend, Page, TestApp};

backends!(
    a_client_sees_exactly_what_was_shared_with_it,
    downloads_are_logged_and_unsharing_is_immediate,
    sharing_refuses_what_is_not_the_workspace_s,
    images_get_a_thumbnail_once_made,
);

const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, b'I', b'H', b'D', b'R',
];

fn pdf() -> Vec<u8> {
    let mut v = b"%PDF-1.7\n".to_vec();
    v.extend_from_slice(&[b'a'; 3000]);
    v
}

struct World {
    app: TestApp,
    staff: As,
    a: i64,
    dana: As,
    bob: As,
    /// File ids: the PDF, the PNG, one never shared.
    files: [i64; 3],
}

async fn world(backend: &Backend) -> World {
    let app = spawn_app(backend).await;
    let ws = app.workspace("acme", "growth").await;
    let (staff, _) = app.staff(ws, "owner@agency.example").await;
    let a = app.client(ws, "Client A").await;
    let b = app.client(ws, "Client B").await;
    let (_, dana) = app
        .contact(ws, a, "dana@a.example", &["can_view_files"])
        .await;
    let (_, bob) = app
        .contact(ws, b, "bob@b.example", &["can_view_files"])
        .await;
    let pdf = pdf();
    for (name, kind, data) in [
        ("Brand guidelines.pdf", "application/pdf", &pdf[..]),
        ("Logo.png", "image/png", PNG),
        ("Margins.pdf", "application/pdf", &pdf[..]),
    ] {
        let res = app
            .upload("acme", "/admin/files", &staff, &[(name, kind, data)])
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
    }
    let ids: Vec<i64> = portal_core::with_db!(app.db(), pool => sqlx::query_scalar(
        "SELECT id FROM files WHERE workspace_id = $1 ORDER BY id").bind(ws).fetch_all(pool).await)
    .unwrap();
    World {
        app,
        staff,
        a,
        dana,
        bob,
        files: [ids[0], ids[1], ids[2]],
    }
}

impl World {
    async fn share(&self, files: &[i64], folder: &str) -> Page {
        let a = self.a.to_string();
        let ids: Vec<String> = files.iter().map(|f| f.to_string()).collect();
        let mut fields = vec![("client", a.as_str()), ("folder", folder)];
        for id in &ids {
            fields.push(("file", id));
        }
        self.app
            .submit("acme", "/admin/gallery/share", &self.staff, &fields)
            .await
    }

    async fn shares(&self) -> Vec<i64> {
        portal_core::with_db!(self.app.db(), pool => sqlx::query_scalar(
            "SELECT id FROM shared_files ORDER BY id").fetch_all(pool).await)
        .unwrap()
    }
}

async fn a_client_sees_exactly_what_was_shared_with_it(backend: Backend) {
    let w = world(&backend).await;
    let res = w.share(&w.files[..2], "Brand").await;
    assert_eq!(res.status, 303, "{}", res.body);

    let list = w.app.get("acme", "/portal/files", &w.dana).await;
    assert_eq!(list.status, 200, "{}", list.body);
    let text = list.words();
    assert!(
        text.contains("Brand guidelines.pdf Brand application/pdf"),
        "{text}"
    );
    assert!(text.contains("Logo.png"));
    assert!(!text.contains("Margins.pdf"), "never shared");
    // Search and filter.
    let found = w
        .app
        .get("acme", "/portal/files?q=GUIDE", &w.dana)
        .await
        .words();
    assert!(found.contains("Brand guidelines.pdf") && !found.contains("Logo.png"));
    let images = w
        .app
        .get("acme", "/portal/files?sort=images", &w.dana)
        .await
        .words();
    assert!(images.contains("Logo.png") && !images.contains("Brand guidelines.pdf"));
    let bad = w
        .app
        .get("acme", "/portal/files?sort=everything", &w.dana)
        .await;
    assert_eq!(bad.status, 400);
    // The gallery shows the image.
    let gallery = w.app.get("acme", "/portal/gallery", &w.dana).await;
    assert!(
        gallery.text().contains(r#"alt="Logo.png""#),
        "{}",
        gallery.body
    );
    assert!(!gallery.text().contains("Brand guidelines.pdf"));
    // Another client's contact sees none of it.
    let other = w.app.get("acme", "/portal/files", &w.bob).await.words();
    assert!(
        other.contains("Nothing has been shared with you yet."),
        "{other}"
    );
}

async fn downloads_are_logged_and_unsharing_is_immediate(backend: Backend) {
    let w = world(&backend).await;
    w.share(&w.files[..1], "").await;
    let share = w.shares().await[0];
    let path = format!("/portal/files/{share}");
    let got = w.app.get("acme", &path, &w.dana).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body.as_bytes(), &pdf()[..]);
    assert_eq!(got.headers.get("content-type").unwrap(), "application/pdf");
    // A player's follow-up range is the same viewing.
    let part = w
        .app
        .get_with("acme", &path, &w.dana, &[("range", "bytes=100-199")])
        .await;
    assert_eq!(part.status, 206);
    let logged: Vec<(String, String)> = portal_core::with_db!(w.app.db(), pool => sqlx::query_as(
        "SELECT action, label FROM activity WHERE action = 'download'").fetch_all(pool).await)
    .unwrap();
    assert_eq!(
        logged,
        [("download".to_string(), "Brand guidelines.pdf".to_string())]
    );
    // Bob's client was never given it.
    assert_eq!(w.app.get("acme", &path, &w.bob).await.status, 404);

    let res = w
        .app
        .submit(
            "acme",
            &format!("/admin/gallery/shares/{share}/unshare"),
            &w.staff,
            &[],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(
        w.app.get("acme", &path, &w.dana).await.status,
        404,
        "at once"
    );
    assert!(!w
        .app
        .get("acme", "/portal/files", &w.dana)
        .await
        .words()
        .contains("Brand guidelines.pdf"));
}

async fn sharing_refuses_what_is_not_the_workspace_s(backend: Backend) {
    let w = world(&backend).await;
    let other = w.app.workspace("globex", "growth").await;
    let (globex_staff, _) = w.app.staff(other, "owner@globex.example").await;
    let before = snapshot(w.app.db()).await;
    // Globex's staff cannot share Acme's file with Acme's client, nor with their own.
    let a = w.a.to_string();
    let file = w.files[0].to_string();
    let res = w
        .app
        .submit(
            "globex",
            "/admin/gallery/share",
            &globex_staff,
            &[("client", &a), ("file", &file)],
        )
        .await;
    assert_eq!(res.status, 400, "{}", res.body);
    for fields in [
        vec![("client", a.as_str())],
        vec![("client", "x"), ("file", file.as_str())],
        vec![("client", a.as_str()), ("file", "x")],
        vec![
            ("client", a.as_str()),
            ("file", file.as_str()),
            ("folder", "a\nb"),
        ],
    ] {
        let res = w
            .app
            .submit("acme", "/admin/gallery/share", &w.staff, &fields)
            .await;
        assert_eq!(res.status, 400, "{fields:?}: {}", res.body);
    }
    assert_eq!(snapshot(w.app.db()).await, before, "nothing changed");
    // Unsharing another workspace's share: not found.
    w.share(&w.files[..1], "").await;
    let share = w.shares().await[0];
    let res = w
        .app
        .submit(
            "globex",
            &format!("/admin/gallery/shares/{share}/unshare"),
            &globex_staff,
            &[],
        )
        .await;
    assert_eq!(res.status, 404);
    assert_eq!(w.shares().await, [share]);
}

async fn images_get_a_thumbnail_once_made(backend: Backend) {
    let w = world(&backend).await;
    let swatch = include_bytes!("../modules/gallery/assets/swatch.png");
    let res = w
        .app
        .upload(
            "acme",
            "/admin/files",
            &w.staff,
            &[("Swatch.png", "image/png", swatch)],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let swatch_id: i64 = portal_core::with_db!(w.app.db(), pool => sqlx::query_scalar(
        "SELECT id FROM files WHERE name = 'Swatch.png'").fetch_one(pool).await)
    .unwrap();
    // Shared with the broken PNG of the world (a signature and nothing else).
    w.share(&[w.files[1], swatch_id], "").await;
    let shares = w.shares().await;
    let thumb = |id: i64| format!("/portal/files/{id}/thumbnail");
    // Before the maker ran: no thumbnail, the gallery shows the originals.
    assert_eq!(
        w.app.get("acme", &thumb(shares[1]), &w.dana).await.status,
        404
    );
    let made = portal_core::files::thumbnails::make_due(&w.app.state)
        .await
        .unwrap();
    assert_eq!(made, 1, "one image is readable, one is not");
    assert_eq!(
        portal_core::files::thumbnails::make_due(&w.app.state)
            .await
            .unwrap(),
        0,
        "made once"
    );
    let small = w.app.get("acme", &thumb(shares[1]), &w.dana).await;
    assert_eq!(small.status, 200);
    assert_eq!(small.headers.get("content-type").unwrap(), "image/png");
    assert_eq!(
        w.app.get("acme", &thumb(shares[0]), &w.dana).await.status,
        404,
        "failed: none"
    );
    let gallery = w.app.get("acme", "/portal/gallery", &w.dana).await.text();
    assert!(
        gallery.contains(&format!("src=\"/w/acme{}\"", thumb(shares[1]))),
        "{gallery}"
    );
    assert!(gallery.contains(&format!("src=\"/w/acme/portal/files/{}\"", shares[0])));
    // Another client's contact gets no thumbnail either.
    assert_eq!(
        w.app.get("acme", &thumb(shares[1]), &w.bob).await.status,
        404
    );
}
