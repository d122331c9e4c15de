//! Forms as staff and contacts meet them: a form that fails its checks comes back as its own
//! page with what was typed and what is wrong beside the field (422), nothing stored; one that
//! passes lands on the page with a fixed message, never text from the link. The example
//! notices module's "Post a notice" form is the form under test: it uses only what every
//! module gets (`Form<T>`, `Check`, `flash!`).

use portico_tests::{backends, spawn_app, As, Backend, TestApp};

backends!(
    a_form_that_fails_its_checks_comes_back_with_what_was_typed,
    a_form_that_passes_lands_with_its_page_s_own_message,
);

async fn world(backend: &Backend) -> (TestApp, i64, As) {
    let app = spawn_app(backend).await;
    let ws = app.workspace("acme", "growth").await;
    let (staff, _) = app.staff(ws, "owner@agency.example").await;
    (app, ws, staff)
}

async fn notices(app: &TestApp, ws: i64) -> i64 {
    let sql = "SELECT COUNT(*) FROM notices WHERE workspace_id = $1";
    app.db()
        .query_scalar(sql)
        .bind(ws)
        .fetch_one()
        .await
        .unwrap()
}

async fn a_form_that_fails_its_checks_comes_back_with_what_was_typed(backend: Backend) {
    let (app, ws, staff) = world(&backend).await;
    let post = |fields: Vec<(&'static str, String)>| {
        let (app, staff) = (&app, &staff);
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.submit("acme", "/admin/notices", staff, &fields).await
        }
    };

    // No title: the page again, the text kept, the problem beside the title.
    let typed = "We are closed on <Friday> & Monday".to_string();
    let page = post(vec![("title", "   ".into()), ("body", typed.clone())]).await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(page.body.contains("<h1>Notices</h1>"), "{}", page.body);
    assert!(page.body.contains("Enter a title."), "{}", page.body);
    assert!(page
        .body
        .contains(r#"aria-invalid="true" aria-describedby="title-error""#));
    // What was typed is back in the field, escaped.
    assert!(page
        .body
        .contains("We are closed on &lt;Friday&gt; &amp; Monday</textarea>"));
    assert!(!page.body.contains("<Friday>"));

    // Too long: said, and the title kept as typed.
    let long = "x".repeat(201);
    let page = post(vec![("title", long.clone()), ("body", String::new())]).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Keep a title to 200 characters."));
    assert!(page.body.contains(&format!(r#"value="{long}""#)));

    // A value of the wrong type: the whole form is said to be wrong, nothing else breaks.
    let page = post(vec![("title", "Hi".into()), ("client_id", "abc".into())]).await;
    assert_eq!(page.status, 422);
    assert!(
        page.body.contains("The form was not sent correctly"),
        "{}",
        page.body
    );

    // Another workspace's client is not found, and says nothing about it.
    let other = app.workspace("other", "growth").await;
    let theirs = app.client(other, "Theirs").await.to_string();
    let page = post(vec![("title", "Hi".into()), ("client_id", theirs)]).await;
    assert_eq!(page.status, 404, "{}", page.body);

    // A control character in a one-line field is said, not stored.
    let page = post(vec![("title", "a\u{0}b".into())]).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Keep a title to one line of text."));

    // Not a form anyone filled in: too many fields is a plain 400, nothing shown again.
    let many: Vec<(&'static str, String)> = (0..300).map(|_| ("x", "y".to_string())).collect();
    let page = post(many).await;
    assert_eq!(page.status, 400, "{}", page.body);
    assert!(page.text().contains("The form has too many fields."));

    assert_eq!(notices(&app, ws).await, 0, "nothing was stored");
}

async fn a_form_that_passes_lands_with_its_page_s_own_message(backend: Backend) {
    let (app, ws, staff) = world(&backend).await;
    let client = app.client(ws, "Client Co").await.to_string();
    let fields = [
        ("title", "  Office closed Friday "),
        ("body", "See you Monday."),
        ("client_id", client.as_str()),
    ];
    let res = app.submit("acme", "/admin/notices", &staff, &fields).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.location(), "/w/acme/admin/notices?done=posted");
    let page = app.get("acme", "/admin/notices?done=posted", &staff).await;
    assert!(page.body.contains("The notice is posted."));
    assert!(page
        .body
        .contains("<td>Office closed Friday</td><td>Client Co</td>"));
    assert_eq!(notices(&app, ws).await, 1);

    // The message is the page's own: a key it does not have says nothing.
    let page = app
        .get("acme", "/admin/notices?done=%3Cscript%3E", &staff)
        .await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains(r#"class="card notice" role="status""#));
    assert!(!page.body.contains("<script>"));
}
