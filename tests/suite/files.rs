//! The file store through the staff's file manager: streamed uploads checked by content,
//! hostile names kept as names only, the workspace's size limit and the plan's storage
//! quota, downloads with the right headers and byte ranges — on the local directory store,
//! and the same story on an S3-compatible server (moto).

use portico_tests::{
    backends, snapshot, spawn_app_configured, spawn_app_with, As, Backend, Options, S3Server,
    TestApp,
};

backends!(
    uploads_are_typed_by_content_and_named_safely,
    downloads_stream_with_ranges_and_safe_headers,
    size_limits_and_the_storage_quota_hold,
    files_stay_in_their_workspace,
    the_s3_store_behaves_the_same,
    an_uploaded_logo_is_served_from_the_workspace_s_address,
);

/// A PDF as far as any reader of its first bytes can tell; ASCII, so it survives the test's
/// text-based page reader.
fn pdf(len: usize) -> Vec<u8> {
    let mut v = b"%PDF-1.7\n".to_vec();
    while v.len() < len {
        v.extend_from_slice(b"0123456789abcdef");
    }
    v.truncate(len);
    v
}

use portico_tests::PNG;

struct World {
    app: TestApp,
    ws: i64,
    staff: As,
    _dir: tempfile::TempDir,
}

async fn world(backend: &Backend, plan: &str) -> World {
    let dir = tempfile::tempdir().unwrap();
    let config = portal_core::PortalConfig {
        files: portal_core::files::FileBackend::Local(dir.path().to_path_buf()),
        ..Default::default()
    };
    let app = spawn_app_configured(backend, config).await;
    let ws = app.workspace("acme", plan).await;
    let (staff, _) = app.staff(ws, "owner@agency.example").await;
    World {
        app,
        ws,
        staff,
        _dir: dir,
    }
}

impl World {
    async fn upload(&self, name: &str, declared: &str, data: &[u8]) -> portico_tests::Page {
        self.app
            .upload(
                "acme",
                "/admin/files",
                &self.staff,
                &[(name, declared, data)],
            )
            .await
    }

    async fn ids(&self) -> Vec<(i64, String, String, i64, String)> {
        self.app
            .db()
            .query_as(
                "SELECT id, name, content_type, size, storage_key FROM files \
                 WHERE workspace_id = $1 ORDER BY id",
            )
            .bind(self.ws)
            .fetch_all()
            .await
            .unwrap()
    }

    fn stored_objects(&self) -> usize {
        walk(self._dir.path())
    }
}

fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| {
                    let p = e.path();
                    if p.is_dir() {
                        walk(&p)
                    } else {
                        1
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

async fn uploads_are_typed_by_content_and_named_safely(backend: Backend) {
    let w = world(&backend, "growth").await;
    let res = w
        .upload("../../etc/passwd.pdf", "application/pdf", &pdf(2000))
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let res = w.upload("logo.png", "image/png", PNG).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let files = w.ids().await;
    assert_eq!(files.len(), 2);
    let (_, name, kind, size, key) = &files[0];
    assert_eq!(
        (name.as_str(), kind.as_str(), *size),
        ("passwd.pdf", "application/pdf", 2000)
    );
    assert!(key.starts_with(&format!("ws/{}/", w.ws)), "{key}");
    assert!(
        !key.contains("passwd"),
        "keys are never built from names: {key}"
    );
    assert_eq!(files[1].2, "image/png");

    let before = snapshot(w.app.db()).await;
    let objects = w.stored_objects();
    for (name, declared, data, says) in [
        (
            "report.pdf",
            "application/pdf",
            PNG.to_vec(),
            "its name says pdf but the content is png",
        ),
        (
            "photo.png",
            "image/png",
            b"just some text".to_vec(),
            "its name says png but the content is not one",
        ),
        (
            "photo",
            "application/pdf",
            PNG.to_vec(),
            "it was sent as application/pdf",
        ),
        (
            "notes.txt",
            "text/plain",
            vec![0, 159, 146, 150, 0],
            "not text",
        ),
        ("empty.pdf", "application/pdf", Vec::new(), "is empty"),
    ] {
        let res = w.upload(name, declared, &data).await;
        assert_eq!(res.status, 400, "{name}: {}", res.body);
        assert!(res.text().contains(says), "{name}: {}", res.text());
    }
    assert_eq!(
        snapshot(w.app.db()).await,
        before,
        "refused uploads record nothing"
    );
    assert_eq!(w.stored_objects(), objects, "and store nothing");

    // The list shows them with the name as given, escaped.
    let page = w.app.get("acme", "/admin/files", &w.staff).await;
    assert!(page.text().contains("passwd.pdf"));
    // Without the form's token the upload is refused.
    let res = w
        .app
        .request_raw(
            "POST",
            "/w/acme/admin/files",
            &[("content-type", "multipart/form-data; boundary=x")],
            Some("--x--\r\n".into()),
        )
        .await;
    assert!(res.status == 403 || res.status == 401, "{}", res.status);
}

async fn downloads_stream_with_ranges_and_safe_headers(backend: Backend) {
    let w = world(&backend, "growth").await;
    let data = pdf(5000);
    w.upload("brief final (v2).pdf", "application/pdf", &data)
        .await;
    w.upload("notes.txt", "text/plain", b"plain notes").await;
    let files = w.ids().await;
    let (pdf_id, txt_id) = (files[0].0, files[1].0);
    let path = format!("/admin/files/{pdf_id}");

    let full = w.app.get("acme", &path, &w.staff).await;
    assert_eq!(full.status, 200);
    assert_eq!(full.body.as_bytes(), &data[..]);
    let h = |p: &portico_tests::Page, k: &str| {
        p.headers.get(k).map(|v| v.to_str().unwrap().to_string())
    };
    assert_eq!(h(&full, "content-type").as_deref(), Some("application/pdf"));
    assert_eq!(
        h(&full, "x-content-type-options").as_deref(),
        Some("nosniff")
    );
    assert_eq!(h(&full, "accept-ranges").as_deref(), Some("bytes"));
    assert_eq!(
        h(&full, "content-disposition").as_deref(),
        Some("inline; filename=\"brief final (v2).pdf\"; filename*=UTF-8''brief%20final%20%28v2%29.pdf")
    );
    assert!(h(&full, "cache-control").unwrap().contains("private"));
    let forced = w
        .app
        .get("acme", &format!("{path}?download=1"), &w.staff)
        .await;
    assert!(h(&forced, "content-disposition")
        .unwrap()
        .starts_with("attachment;"));
    let text = w
        .app
        .get("acme", &format!("/admin/files/{txt_id}"), &w.staff)
        .await;
    assert!(
        h(&text, "content-disposition")
            .unwrap()
            .starts_with("attachment;"),
        "text is not shown inline"
    );

    // Ranges, as a video player asks for them.
    let part = w
        .app
        .get_with("acme", &path, &w.staff, &[("range", "bytes=100-199")])
        .await;
    assert_eq!(part.status, 206);
    assert_eq!(
        h(&part, "content-range").as_deref(),
        Some("bytes 100-199/5000")
    );
    assert_eq!(part.body.as_bytes(), &data[100..200]);
    let tail = w
        .app
        .get_with("acme", &path, &w.staff, &[("range", "bytes=-10")])
        .await;
    assert_eq!(tail.status, 206);
    assert_eq!(tail.body.as_bytes(), &data[4990..]);
    let beyond = w
        .app
        .get_with("acme", &path, &w.staff, &[("range", "bytes=6000-")])
        .await;
    assert_eq!(beyond.status, 416);
    assert_eq!(h(&beyond, "content-range").as_deref(), Some("bytes */5000"));
    // A cached copy is still good.
    let etag = h(&full, "etag").unwrap();
    let again = w
        .app
        .get_with("acme", &path, &w.staff, &[("if-none-match", &etag)])
        .await;
    assert_eq!(again.status, 304);
}

async fn size_limits_and_the_storage_quota_hold(backend: Backend) {
    let w = world(&backend, "growth").await;
    // The workspace's own limit, set by its owner: 1 MB. Within the deployment's limit only,
    // and not by a member.
    let ceiling = w.app.state.config.max_file_mb;
    let member = w.app.member(w.ws, "member@agency.example", "Mo").await;
    let before = snapshot(w.app.db()).await;
    let too_big = (ceiling + 1).to_string();
    for bad in ["0", "-1", "1.5", "abc", too_big.as_str()] {
        let res = w
            .app
            .submit("acme", "/admin/files/limit", &w.staff, &[("max_mb", bad)])
            .await;
        assert_eq!(res.status, 400, "{bad}: {}", res.body);
        assert!(res.words().contains(&format!("from 1 to {ceiling}")));
    }
    let res = w
        .app
        .submit("acme", "/admin/files/limit", &member, &[("max_mb", "1")])
        .await;
    assert_eq!(res.status, 403);
    assert_eq!(snapshot(w.app.db()).await, before, "nothing changed");
    let res = w
        .app
        .submit("acme", "/admin/files/limit", &w.staff, &[("max_mb", "1")])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = w.app.get("acme", "/admin/files", &w.staff).await;
    assert!(
        page.words().contains("Files can be up to 1.0 MB each"),
        "{}",
        page.words()
    );
    let objects = w.stored_objects();
    let res = w
        .upload("big.pdf", "application/pdf", &pdf(1024 * 1024 + 1))
        .await;
    assert_eq!(res.status, 413, "{}", res.body);
    assert!(res.text().contains("at most 1.0 MB"), "{}", res.text());
    assert!(w.ids().await.is_empty());
    assert_eq!(w.stored_objects(), objects, "nothing left behind");
    let res = w
        .upload("fits.pdf", "application/pdf", &pdf(1024 * 1024))
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    // Emptied: the deployment's limit again.
    let res = w
        .app
        .submit("acme", "/admin/files/limit", &w.staff, &[("max_mb", "")])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let res = w
        .upload("big.pdf", "application/pdf", &pdf(1024 * 1024 + 1))
        .await;
    assert_eq!(res.status, 303, "{}", res.body);

    // The plan's storage: Starter has little; fill it up to the brim through the table.
    let starter = world(&backend, "starter").await;
    let quota_mb: i64 = starter
        .app
        .state
        .catalogue
        .plan("starter")
        .and_then(|p| p.limits.storage_mb)
        .unwrap() as i64;
    starter
        .app
        .sql(
            &format!(
                "INSERT INTO files (workspace_id, storage_key, name, content_type, size, uploaded_by, created_at) \
                 VALUES ($1, 'ws/x/filler', 'filler', 'application/pdf', {}, 'test', 0)",
                quota_mb * 1024 * 1024 - 100
            ),
            starter.ws,
        )
        .await;
    let res = starter
        .upload("small.pdf", "application/pdf", &pdf(500))
        .await;
    assert_eq!(res.status, 413, "{}", res.body);
    assert!(
        res.text().contains("does not fit in your plan's storage"),
        "{}",
        res.text()
    );
    let res = starter
        .upload("tiny.pdf", "application/pdf", &pdf(90))
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
}

async fn files_stay_in_their_workspace(backend: Backend) {
    let w = world(&backend, "growth").await;
    w.upload("brief.pdf", "application/pdf", &pdf(300)).await;
    let id = w.ids().await[0].0;
    let other = w.app.workspace("globex", "growth").await;
    let (stranger, _) = w.app.staff(other, "owner@globex.example").await;
    for path in [
        format!("/admin/files/{id}"),
        format!("/admin/files/{id}?download=1"),
    ] {
        let res = w.app.get("globex", &path, &stranger).await;
        assert_eq!(res.status, 404, "{path}");
    }
    let res = w
        .app
        .submit(
            "globex",
            &format!("/admin/files/{id}/delete"),
            &stranger,
            &[],
        )
        .await;
    assert_eq!(res.status, 404);
    // Members upload and download, but do not delete.
    let mo = w.app.member(w.ws, "mo@agency.example", "Mo").await;
    let res = w
        .app
        .submit("acme", &format!("/admin/files/{id}/delete"), &mo, &[])
        .await;
    assert_eq!(res.status, 403);
    let res = w
        .app
        .submit("acme", &format!("/admin/files/{id}/delete"), &w.staff, &[])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(w.ids().await.is_empty());
    assert_eq!(w.stored_objects(), 0, "the object is gone too");
}

async fn the_s3_store_behaves_the_same(backend: Backend) {
    let s3 = S3Server::start().await;
    let app = spawn_app_with(
        &backend,
        Options {
            config: portal_core::PortalConfig {
                files: s3.backend(),
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .await;
    let ws = app.workspace("acme", "growth").await;
    let (staff, _) = app.staff(ws, "owner@agency.example").await;
    let data = pdf(300_000);
    let res = app
        .upload(
            "acme",
            "/admin/files",
            &staff,
            &[("deck.pdf", "application/pdf", &data)],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(s3.objects().await, 1);
    let id: i64 = app
        .db()
        .query_scalar("SELECT id FROM files")
        .fetch_one()
        .await
        .unwrap();
    let path = format!("/admin/files/{id}");
    let full = app.get("acme", &path, &staff).await;
    assert_eq!(full.status, 200);
    assert_eq!(full.body.as_bytes(), &data[..]);
    let part = app
        .get_with("acme", &path, &staff, &[("range", "bytes=1000-1999")])
        .await;
    assert_eq!(part.status, 206);
    assert_eq!(part.body.as_bytes(), &data[1000..2000]);
    // A refused upload leaves nothing in the bucket.
    let res = app
        .upload(
            "acme",
            "/admin/files",
            &staff,
            &[("deck2.pdf", "application/pdf", PNG)],
        )
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(s3.objects().await, 1);
    let res = app
        .submit("acme", &format!("/admin/files/{id}/delete"), &staff, &[])
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(s3.objects().await, 0);
}

async fn an_uploaded_logo_is_served_from_the_workspace_s_address(backend: Backend) {
    let w = world(&backend, "growth").await;
    let png = include_bytes!("../../modules/gallery/assets/swatch.png");
    // Not an image, or two files: refused, and nothing kept.
    let member = w.app.member(w.ws, "member@agency.example", "Mo").await;
    let before = snapshot(w.app.db()).await;
    let objects = w.stored_objects();
    for parts in [
        vec![("brief.pdf", "application/pdf", &pdf(300)[..])],
        vec![
            ("a.png", "image/png", &png[..]),
            ("b.png", "image/png", &png[..]),
        ],
    ] {
        let res = w
            .app
            .upload("acme", "/admin/settings/logo", &w.staff, &parts)
            .await;
        assert_eq!(res.status, 400, "{}", res.body);
    }
    let res = w
        .app
        .upload(
            "acme",
            "/admin/settings/logo",
            &member,
            &[("logo.png", "image/png", png)],
        )
        .await;
    assert_eq!(res.status, 403);
    assert_eq!(snapshot(w.app.db()).await, before);
    assert_eq!(w.stored_objects(), objects, "nothing left in the store");

    let res = w
        .app
        .upload(
            "acme",
            "/admin/settings/logo",
            &w.staff,
            &[("logo.png", "image/png", png)],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let (id, ..) = w.ids().await.pop().unwrap();
    let address = format!("/w/acme/assets/logo/{id}");
    // The sign-in page (nobody signed in) and every email show it from there.
    let sign_in = w.app.get("acme", "/portal/sign-in", &As::Anonymous).await;
    assert!(
        sign_in
            .text()
            .contains(&format!(r#"<img src="http://localhost:3000{address}""#)),
        "{}",
        sign_in.text()
    );
    let (status, headers, body) = w
        .app
        .get_bytes("acme", &format!("/assets/logo/{id}"), &As::Anonymous)
        .await;
    assert_eq!((status, body.as_slice()), (200, &png[..]));
    assert_eq!(headers["content-type"], "image/png");
    // No other file of the workspace answers at a logo's address.
    w.upload("brief.pdf", "application/pdf", &pdf(300)).await;
    let (other, ..) = w.ids().await.pop().unwrap();
    let (status, ..) = w
        .app
        .get_bytes("acme", &format!("/assets/logo/{other}"), &As::Anonymous)
        .await;
    assert_eq!(status, 404);
    // Typing a logo address that names the brief does not make it public; and the uploaded
    // logo, no longer the logo, is not served either.
    let typed = format!("http://localhost:3000/w/acme/assets/logo/{other}");
    let res = w
        .app
        .submit(
            "acme",
            "/admin/settings",
            &w.staff,
            &[("logo_url", typed.as_str())],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    for file in [other, id] {
        let (status, ..) = w
            .app
            .get_bytes("acme", &format!("/assets/logo/{file}"), &As::Anonymous)
            .await;
        assert_eq!(status, 404, "file {file}");
    }
}
