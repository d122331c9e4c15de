//! Shared files: staff share from the file manager; a client sees exactly what was shared
//! with it, searches and filters it, previews it, downloads it (logged) one by one or as one
//! zip, sees images in the gallery, and loses it the moment it is unshared. Shares tied to a
//! project follow the contact's project access.

use portico_tests::{backends, snapshot, spawn_app, As, Backend, Page, TestApp};

backends!(
    a_client_sees_exactly_what_was_shared_with_it,
    downloads_are_logged_and_unsharing_is_immediate,
    sharing_refuses_what_is_not_the_workspace_s,
    a_file_one_client_sent_never_reaches_another,
    images_get_a_thumbnail_once_made,
    previews_show_each_kind_in_the_page,
    a_selection_downloads_as_one_zip,
    shares_tied_to_a_project_follow_project_access,
    the_api_uploads_shares_and_unshares,
);

use portico_tests::PNG;

fn pdf() -> Vec<u8> {
    let mut v = b"%PDF-1.7\n".to_vec();
    v.extend_from_slice(&[b'a'; 3000]);
    v
}

struct World {
    app: TestApp,
    ws: i64,
    staff: As,
    bearer: As,
    a: i64,
    b: i64,
    dana_id: i64,
    dana: As,
    bob: As,
    /// File ids: the PDF, the PNG, one never shared.
    files: [i64; 3],
}

async fn world(backend: &Backend) -> World {
    let app = spawn_app(backend).await;
    let s = app
        .scenario("acme")
        .staff_owner("owner@agency.example")
        .client("Client A", |c| {
            c.contact("dana@a.example", &["can_view_files"])
        })
        .client("Client B", |c| {
            c.contact("bob@b.example", &["can_view_files"])
        })
        .build()
        .await;
    let ws = s.ws;
    let (_, staff, bearer) = s.staff("owner@agency.example");
    let (dana_id, dana) = s.contact("dana@a.example");
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
    let ids: Vec<i64> = app
        .db()
        .query_scalar("SELECT id FROM files WHERE workspace_id = $1 ORDER BY id")
        .bind(ws)
        .fetch_all()
        .await
        .unwrap();
    World {
        app,
        ws,
        staff,
        bearer,
        a: s.client("Client A"),
        b: s.client("Client B"),
        dana_id,
        dana,
        bob: s.contact("bob@b.example").1,
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
        self.app
            .db()
            .query_scalar("SELECT id FROM shared_files ORDER BY id")
            .fetch_all()
            .await
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
    // Shown in the page (the preview's frame) is not a download.
    let shown = w.app.get("acme", &path, &w.dana).await;
    assert_eq!(shown.status, 200);
    assert_eq!(shown.body.as_bytes(), &pdf()[..]);
    let saved = format!("{path}?download=1");
    let got = w.app.get("acme", &saved, &w.dana).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body.as_bytes(), &pdf()[..]);
    assert_eq!(got.headers.get("content-type").unwrap(), "application/pdf");
    // A download manager's follow-up range is the same download.
    let part = w
        .app
        .get_with("acme", &saved, &w.dana, &[("range", "bytes=100-199")])
        .await;
    assert_eq!(part.status, 206);
    let logged: Vec<(String, String)> = w
        .app
        .db()
        .query_as("SELECT action, label FROM activity WHERE action = 'download'")
        .fetch_all()
        .await
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

/// A file a contact of A sent (a feedback attachment, say) is A's. Staff cannot share it with
/// B, and a share row that names it for B anyway (written before this rule, or by a bug) shows
/// B nothing: the application holds this wall on both backends, not PostgreSQL's row-level
/// security alone.
async fn a_file_one_client_sent_never_reaches_another(backend: Backend) {
    let w = world(&backend).await;
    let sent = w.files[2];
    w.app
        .sql(
            &format!("UPDATE files SET client_id = {} WHERE id = $1", w.a),
            sent,
        )
        .await;
    let before = snapshot(w.app.db()).await;
    let (b, file) = (w.b.to_string(), sent.to_string());
    let res = w
        .app
        .submit(
            "acme",
            "/admin/gallery/share",
            &w.staff,
            &[("client", b.as_str()), ("file", file.as_str())],
        )
        .await;
    assert_eq!(res.status, 400, "{}", res.body);
    assert!(
        res.text().contains("belongs to another client"),
        "{}",
        res.body
    );
    let api = w
        .app
        .post_json(
            "acme",
            "/api/shares",
            &w.bearer,
            &serde_json::json!({ "client_id": w.b, "file_ids": [sent] }),
        )
        .await;
    assert_eq!(api.status, 400, "{}", api.body);
    assert_eq!(snapshot(w.app.db()).await, before, "nothing was shared");
    // With A itself it may be shared: it is A's own.
    assert_eq!(w.share(&[sent], "").await.status, 303);

    let sql = "INSERT INTO shared_files (workspace_id, client_id, file_id, folder, shared_by, shared_at) \
               VALUES ($1, $2, $3, '', 'old', 0)";
    w.app
        .db()
        .query(sql)
        .bind(w.ws)
        .bind(w.b)
        .bind(sent)
        .execute()
        .await
        .unwrap();
    let row: i64 = w
        .app
        .db()
        .query_scalar("SELECT id FROM shared_files WHERE client_id = $1")
        .bind(w.b)
        .fetch_one()
        .await
        .unwrap();
    let list = w.app.get("acme", "/portal/files", &w.bob).await;
    assert_eq!(list.status, 200);
    assert!(!list.text().contains("Margins.pdf"), "{}", list.body);
    for path in [
        format!("/portal/files/{row}"),
        format!("/portal/files/{row}/preview"),
        format!("/portal/files/archive?file={row}"),
    ] {
        let res = w.app.get("acme", &path, &w.bob).await;
        assert_eq!(res.status, 404, "{path}: {}", res.body);
    }
    // A's contact still has it.
    let mine = w.app.get("acme", "/portal/files", &w.dana).await;
    assert!(mine.text().contains("Margins.pdf"));
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
    let swatch = include_bytes!("../../modules/gallery/assets/swatch.png");
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
    let swatch_id: i64 = w
        .app
        .db()
        .query_scalar("SELECT id FROM files WHERE name = 'Swatch.png'")
        .fetch_one()
        .await
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
    let made = portal_core::files::thumbnails::make_due(&w.app.state.db, &w.app.state.files)
        .await
        .unwrap();
    assert_eq!(made, 1, "one image is readable, one is not");
    assert_eq!(
        portal_core::files::thumbnails::make_due(&w.app.state.db, &w.app.state.files)
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

/// A video `infer` reads as MP4: the `ftyp` box, then padding.
fn mp4() -> Vec<u8> {
    let mut v = b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2".to_vec();
    v.extend_from_slice(&[0; 2000]);
    v
}

impl World {
    async fn upload(&self, name: &str, kind: &str, data: &[u8]) -> i64 {
        let res = self
            .app
            .upload("acme", "/admin/files", &self.staff, &[(name, kind, data)])
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        self.app
            .db()
            .query_scalar("SELECT MAX(id) FROM files")
            .fetch_one()
            .await
            .unwrap()
    }

    async fn share_in(&self, files: &[i64], folder: &str, project: i64) -> Page {
        let a = self.a.to_string();
        let project = project.to_string();
        let ids: Vec<String> = files.iter().map(|f| f.to_string()).collect();
        let mut fields = vec![
            ("client", a.as_str()),
            ("folder", folder),
            ("project", project.as_str()),
        ];
        for id in &ids {
            fields.push(("file", id));
        }
        self.app
            .submit("acme", "/admin/gallery/share", &self.staff, &fields)
            .await
    }

    /// The share of `file`.
    async fn share_of(&self, file: i64) -> i64 {
        self.app
            .db()
            .query_scalar("SELECT id FROM shared_files WHERE file_id = $1")
            .bind(file)
            .fetch_one()
            .await
            .unwrap()
    }

    async fn downloads_logged(&self) -> Vec<String> {
        self.app
            .db()
            .query_scalar("SELECT label FROM activity WHERE action = 'download' ORDER BY label")
            .fetch_all()
            .await
            .unwrap()
    }

    async fn project(&self, name: &str) -> i64 {
        self.project_of(self.a, name).await
    }

    async fn project_of(&self, client: i64, name: &str) -> i64 {
        self.app.project(self.ws, client, name).await
    }
}

/// What a standard unzip sees in `archive`: each entry's name and content (hex), after
/// Python's `zipfile` checked every entry's CRC.
fn unzip(archive: &[u8]) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("got.zip");
    std::fs::write(&path, archive).unwrap();
    let script = "import json, sys, zipfile\n\
                  z = zipfile.ZipFile(sys.argv[1])\n\
                  assert z.testzip() is None, 'a CRC does not match'\n\
                  print(json.dumps([[i.filename, z.read(i).hex()] for i in z.infolist()]))";
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn previews_show_each_kind_in_the_page(backend: Backend) {
    let w = world(&backend).await;
    let video = w.upload("Teaser.mp4", "video/mp4", &mp4()).await;
    let csv = w
        .upload("Budget.csv", "text/csv", b"month,amount\nMay,10\n")
        .await;
    let res = w
        .share(&[w.files[0], w.files[1], video, csv], "Launch")
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let [pdf, png, video, csv] = [
        w.share_of(w.files[0]).await,
        w.share_of(w.files[1]).await,
        w.share_of(video).await,
        w.share_of(csv).await,
    ];
    let preview = |id: i64| format!("/portal/files/{id}/preview");
    let src = |id: i64| format!("/w/acme/portal/files/{id}");

    let page = w.app.get("acme", &preview(png), &w.dana).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let text = page.text();
    assert!(
        text.contains(&format!(r#"<img src="{}" alt="Logo.png">"#, src(png))),
        "{text}"
    );
    assert!(page.words().contains("image/png"), "the details");
    assert!(text.contains(&format!(r#"href="{}?download=1""#, src(png))));
    // The page may frame this origin's files and play its media; nobody may frame the page.
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("frame-src 'self'")
            && csp.contains("media-src 'self'")
            && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );

    let text = w.app.get("acme", &preview(pdf), &w.dana).await.text();
    assert!(
        text.contains(&format!(
            r#"<iframe src="{}" title="Brand guidelines.pdf">"#,
            src(pdf)
        )),
        "{text}"
    );
    // The PDF itself lets the portal's own page frame it, and nothing else.
    let file = w
        .app
        .get("acme", &format!("/portal/files/{pdf}"), &w.dana)
        .await;
    assert_eq!(file.headers["x-frame-options"], "SAMEORIGIN");
    let csp = file.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors 'self'") && csp.contains("default-src 'none'"),
        "{csp}"
    );

    let text = w.app.get("acme", &preview(video), &w.dana).await.text();
    assert!(
        text.contains(&format!(
            r#"<video controls preload="metadata" src="{}">"#,
            src(video)
        )),
        "{text}"
    );

    // A type no browser shows safely: no frame, no picture — a download.
    let page = w.app.get("acme", &preview(csv), &w.dana).await;
    let text = page.text();
    assert!(
        page.words().contains("cannot show this kind of file"),
        "{text}"
    );
    assert!(!text.contains("<iframe") && !text.contains(&format!(r#"src="{}""#, src(csv))));
    assert!(text.contains(&format!(r#"href="{}?download=1""#, src(csv))));

    // Previous and next follow the list it was opened from: all files newest first, or the
    // gallery's images and video.
    let shares = w.shares().await;
    assert_eq!(shares.len(), 4);
    let first = w.app.get("acme", &preview(shares[3]), &w.dana).await;
    let words = first.words();
    assert!(
        words.contains("1 of 4") && words.contains("Next file"),
        "{words}"
    );
    assert!(!words.contains("Previous file"));
    assert!(first.text().contains(&format!(
        r#"href="/w/acme/portal/files/{}/preview" rel="next""#,
        shares[2]
    )));
    let in_gallery = w
        .app
        .get("acme", &format!("{}?from=gallery", preview(video)), &w.dana)
        .await;
    let words = in_gallery.words();
    assert!(
        words.contains("1 of 2") && words.contains("Back to the gallery"),
        "{words}"
    );
    assert!(in_gallery.text().contains(&format!(
        r#"href="/w/acme/portal/files/{png}/preview?from=gallery" rel="next""#
    )));
    // A PDF is not in the gallery; an unshared or another client's file is in no list.
    let pdf_in_gallery = format!("{}?from=gallery", preview(pdf));
    assert_eq!(
        w.app.get("acme", &pdf_in_gallery, &w.dana).await.status,
        404
    );
    assert_eq!(w.app.get("acme", &preview(png), &w.bob).await.status, 404);
    assert_eq!(
        w.app.get("acme", &preview(9_999_999), &w.dana).await.status,
        404
    );
    assert_eq!(
        w.app
            .get("acme", "/portal/files/x/preview", &w.dana)
            .await
            .status,
        404
    );
    // Opening a preview, and the file shown in it, is a view, not a download; a type that
    // cannot be shown is saved, so it is one.
    assert!(w.downloads_logged().await.is_empty());
    w.app.state.looks.flush().await;
    let viewed: Vec<String> = w
        .app
        .db()
        .query_scalar(
            "SELECT DISTINCT label FROM activity \
             WHERE action = 'view' AND subject LIKE 'file:%' ORDER BY label",
        )
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(
        viewed,
        [
            "Brand guidelines.pdf",
            "Budget.csv",
            "Logo.png",
            "Teaser.mp4"
        ]
    );
    w.app
        .get("acme", &format!("/portal/files/{csv}"), &w.dana)
        .await;
    assert_eq!(w.downloads_logged().await, ["Budget.csv"]);
}

async fn a_selection_downloads_as_one_zip(backend: Backend) {
    let w = world(&backend).await;
    // Two files of one name, and a folder name that tries to climb out of the archive.
    let second_logo = w.upload("Logo.png", "image/png", PNG).await;
    assert_eq!(
        w.share(&[w.files[0], w.files[1]], "Brand").await.status,
        303
    );
    assert_eq!(w.share(&[second_logo], "../../escape").await.status, 303);
    let [pdf_share, logo, logo2] = [
        w.share_of(w.files[0]).await,
        w.share_of(w.files[1]).await,
        w.share_of(second_logo).await,
    ];

    let (status, headers, body) = w
        .app
        .get_bytes(
            "acme",
            // A file named twice is zipped (and logged) once.
            &format!(
                "/portal/files/archive?file={pdf_share}&file={logo}&file={pdf_share}&file={logo2}&file={logo}"
            ),
            &w.dana,
        )
        .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(headers["content-type"], "application/zip");
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment;") && disposition.contains(".zip"),
        "{disposition}"
    );
    let entries = unzip(&body);
    assert_eq!(
        entries,
        [
            ("Brand/Brand guidelines.pdf".to_string(), hex(&pdf())),
            ("Brand/Logo.png".to_string(), hex(PNG)),
            ("_.._escape/Logo.png".to_string(), hex(PNG)),
        ]
    );
    // Each file of the archive is a download in the log.
    assert_eq!(
        w.downloads_logged().await,
        ["Brand guidelines.pdf", "Logo.png", "Logo.png"]
    );

    // Nothing chosen: every file the filter shows.
    let (status, _, body) = w
        .app
        .get_bytes("acme", "/portal/files/archive?sort=images", &w.dana)
        .await;
    assert_eq!(status, 200);
    let names: Vec<String> = unzip(&body).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["_.._escape/Logo.png", "Brand/Logo.png"]);

    // A file never shared, another client's contact, a bad id: refused, nothing logged.
    let logged = w.downloads_logged().await;
    let unshared = format!("/portal/files/archive?file={pdf_share}&file=9999999");
    assert_eq!(w.app.get("acme", &unshared, &w.dana).await.status, 404);
    let theirs = format!("/portal/files/archive?file={pdf_share}");
    assert_eq!(w.app.get("acme", &theirs, &w.bob).await.status, 404);
    let nothing = w.app.get("acme", "/portal/files/archive", &w.bob).await;
    assert_eq!(nothing.status, 400);
    assert!(nothing.words().contains("There are no files to download."));
    let bad = w
        .app
        .get("acme", "/portal/files/archive?file=abc", &w.dana)
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(w.downloads_logged().await, logged);
    // The list offers both ways.
    let list = w.app.get("acme", "/portal/files", &w.dana).await;
    let words = list.words();
    assert!(words.contains("Download all 3 as one .zip"), "{words}");
    assert!(words.contains("Download selected as one .zip"));
    assert!(list
        .text()
        .contains(&format!(r#"form="pick" name="file" value="{pdf_share}""#)));
}

async fn shares_tied_to_a_project_follow_project_access(backend: Backend) {
    let w = world(&backend).await;
    let website = w.project("Website").await;
    let print = w.project("Print run").await;
    assert_eq!(w.share_in(&[w.files[0]], "", website).await.status, 303);
    assert_eq!(w.share(&[w.files[1]], "").await.status, 303);
    let pdf = w.share_of(w.files[0]).await;

    let list = w.app.get("acme", "/portal/files", &w.dana).await;
    let words = list.words();
    assert!(words.contains("Brand guidelines.pdf Website"), "{words}");
    assert!(words.contains("Logo.png"));
    // Filtered by project: that project's files only.
    let only = w
        .app
        .get("acme", &format!("/portal/files?project={website}"), &w.dana)
        .await
        .words();
    assert!(
        only.contains("Brand guidelines.pdf") && !only.contains("Logo.png"),
        "{only}"
    );
    assert_eq!(
        w.app
            .get("acme", "/portal/files?project=x", &w.dana)
            .await
            .status,
        400
    );

    // Limited to the print run, Dana keeps the untied file and loses the website's.
    portico_projects::store::set_access(w.app.db(), w.ws, w.a, w.dana_id, Some(&[print]))
        .await
        .unwrap();
    let words = w.app.get("acme", "/portal/files", &w.dana).await.words();
    assert!(
        words.contains("Logo.png") && !words.contains("Brand guidelines.pdf"),
        "{words}"
    );
    for path in [
        format!("/portal/files/{pdf}"),
        format!("/portal/files/{pdf}/preview"),
        format!("/portal/files/archive?file={pdf}"),
    ] {
        assert_eq!(
            w.app.get("acme", &path, &w.dana).await.status,
            404,
            "{path}"
        );
    }

    // A project of another client cannot carry a share to this one.
    let b: i64 = w
        .app
        .db()
        .query_scalar("SELECT id FROM clients WHERE name = 'Client B'")
        .fetch_one()
        .await
        .unwrap();
    let b_project = w.project_of(b, "B's project").await;
    let before = snapshot(w.app.db()).await;
    let res = w.share_in(&[w.files[2]], "", b_project).await;
    assert_eq!(res.status, 400);
    assert!(
        res.words().contains("Choose a project of the same client"),
        "{}",
        res.words()
    );
    assert_eq!(snapshot(w.app.db()).await, before, "nothing shared");
    // Staff see the project beside each share.
    let admin = w.app.get("acme", "/admin/gallery", &w.staff).await.words();
    assert!(admin.contains("Brand guidelines.pdf Website"), "{admin}");
}

async fn the_api_uploads_shares_and_unshares(backend: Backend) {
    let w = world(&backend).await;
    let res = w
        .app
        .upload(
            "acme",
            "/api/files",
            &w.bearer,
            &[("Deck.pdf", "application/pdf", &pdf())],
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let made: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    let file = made["files"][0]["id"].as_i64().unwrap();
    assert_eq!(made["files"][0]["name"], "Deck.pdf");
    assert_eq!(made["files"][0]["content_type"], "application/pdf");
    // A contradicted type is refused the same way as on the admin page.
    let res = w
        .app
        .upload(
            "acme",
            "/api/files",
            &w.bearer,
            &[("Deck.png", "image/png", &pdf())],
        )
        .await;
    assert_eq!(res.status, 400, "{}", res.body);

    let list: serde_json::Value =
        serde_json::from_str(&w.app.get("acme", "/api/files", &w.bearer).await.body).unwrap();
    let names: Vec<&str> = list["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Deck.pdf",
            "Margins.pdf",
            "Logo.png",
            "Brand guidelines.pdf"
        ]
    );
    let content = w
        .app
        .get("acme", &format!("/api/files/{file}/content"), &w.bearer)
        .await;
    assert_eq!(content.body.as_bytes(), &pdf()[..]);

    let auth = match &w.bearer {
        As::Bearer(t) => format!("Bearer {t}"),
        _ => unreachable!(),
    };
    let share = |body: String| {
        let auth = auth.clone();
        let app = &w.app;
        async move {
            app.request_raw(
                "POST",
                "/w/acme/api/shares",
                &[
                    ("authorization", &auth),
                    ("content-type", "application/json"),
                ],
                Some(body),
            )
            .await
        }
    };
    let res = share(format!(
        r#"{{"client_id": {}, "file_ids": [{file}], "folder": "Decks"}}"#,
        w.a
    ))
    .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert!(res.body.contains(r#""added":1"#), "{}", res.body);
    let words = w.app.get("acme", "/portal/files", &w.dana).await.words();
    assert!(words.contains("Deck.pdf Decks"), "{words}");
    // Bad input: a clear 400, nothing shared.
    let before = snapshot(w.app.db()).await;
    for body in [
        "not json".to_string(),
        format!(r#"{{"client_id": {}, "file_ids": []}}"#, w.a),
        format!(r#"{{"client_id": {}, "file_ids": [9999999]}}"#, w.a),
        format!(r#"{{"client_id": 9999999, "file_ids": [{file}]}}"#),
    ] {
        assert_eq!(share(body.clone()).await.status, 400, "{body}");
    }
    assert_eq!(snapshot(w.app.db()).await, before);

    let listed: serde_json::Value =
        serde_json::from_str(&w.app.get("acme", "/api/shares", &w.bearer).await.body).unwrap();
    let id = listed["shares"][0]["id"].as_i64().unwrap();
    assert_eq!(listed["shares"][0]["file_id"], file);
    let gone = w
        .app
        .request("DELETE", "acme", &format!("/api/shares/{id}"), &w.bearer)
        .await;
    assert_eq!(gone.status, 204);
    let words = w.app.get("acme", "/portal/files", &w.dana).await.words();
    assert!(!words.contains("Deck.pdf"), "unshared at once");

    // And the file itself goes.
    let res = w
        .app
        .request("DELETE", "acme", &format!("/api/files/{file}"), &w.bearer)
        .await;
    assert_eq!(res.status, 204);
    assert_eq!(
        w.app
            .get("acme", &format!("/api/files/{file}"), &w.bearer)
            .await
            .status,
        404
    );
}

/// PostgreSQL's second wall on `files`: a client's scope reads its own files and the agency's
/// files shared with it — nothing else, even by a query that forgets every filter — and may
/// change only its own. (SQLite has no row-level security.)
#[tokio::test]
async fn a_client_scope_reads_only_its_files_and_those_shared_with_it() {
    use portal_core::db::ScopedTx;
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let w = world(&backend).await;
    assert_eq!(w.share(&[w.files[0]], "").await.status, 303);
    let b: i64 = w
        .app
        .db()
        .query_scalar("SELECT id FROM clients WHERE name = 'Client B'")
        .fetch_one()
        .await
        .unwrap();
    // An attachment of each client's own.
    for (client, key, name) in [(w.a, "k-a", "from A.txt"), (b, "k-b", "from B.txt")] {
        w.app
            .db()
            .query(
                "INSERT INTO files (workspace_id, client_id, storage_key, name, content_type, \
                 size, uploaded_by, created_at) \
                 VALUES ($1, $2, $3, $4, 'text/plain', 1, 'x', 0)",
            )
            .bind(w.ws)
            .bind(client)
            .bind(key)
            .bind(name)
            .execute()
            .await
            .unwrap();
    }

    let mut tx = ScopedTx::begin(w.app.db(), w.ws, w.a).await.unwrap();
    let seen: Vec<String> = tx
        .query_scalar("SELECT name FROM files ORDER BY name")
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(seen, ["Brand guidelines.pdf", "from A.txt"]);
    let renamed = tx
        .query("UPDATE files SET name = 'taken'")
        .execute()
        .await
        .unwrap();
    assert_eq!(
        renamed, 1,
        "its own file only; a shared file is read-only to it"
    );
    tx.rollback().await.unwrap();

    let mut tx = ScopedTx::begin(w.app.db(), w.ws, b).await.unwrap();
    let seen: Vec<String> = tx
        .query_scalar("SELECT name FROM files ORDER BY name")
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(seen, ["from B.txt"], "nothing shared with B");
    tx.commit().await.unwrap();

    let mut tx = ScopedTx::begin_staff_write(w.app.db(), w.ws).await.unwrap();
    let all: i64 = tx
        .query_scalar("SELECT COUNT(*) FROM files")
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(all, 5, "staff see every file of the workspace");
    tx.commit().await.unwrap();
}
