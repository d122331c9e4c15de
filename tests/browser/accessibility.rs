//! The portal in a real browser (headless Chromium), on a phone's width and a laptop's:
//! nothing scrolls sideways, every form control has a label, every image a text alternative,
//! text has the contrast WCAG AA asks for, the skip link comes first, and nothing shifts once
//! the page is shown. Run on every page a contact uses, with a staff page or two.

use portico_tests::{concrete_path, spawn_app, As, Backend, Chrome, TestApp};
use serde_json::Value;

/// What the page is checked for, in the page: a list of problems, empty when all is well.
const AUDIT: &str = r#"
return (async () => {
// A route that serves a file (a PDF in the browser's viewer) is not a page of ours.
if (document.contentType !== 'text/html') return [];
const problems = [];
const doc = document.documentElement;
if (doc.scrollWidth > window.innerWidth + 1) {
  problems.push(`scrolls sideways: ${doc.scrollWidth}px content in a ${window.innerWidth}px window`);
}
const shown = el => { const r = el.getBoundingClientRect(); return r.width > 1 && r.height > 1 && getComputedStyle(el).visibility !== 'hidden'; };
for (const el of document.querySelectorAll('input, select, textarea')) {
  if (el.type === 'hidden' || el.hidden) continue;
  const named = (el.labels && el.labels.length) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
  if (!named) problems.push(`unlabelled ${el.tagName.toLowerCase()} name=${el.name}`);
}
for (const img of document.querySelectorAll('img')) {
  if (!img.hasAttribute('alt')) problems.push(`image without alt: ${img.src}`);
}
const focusable = [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea')];
if (!focusable.length || !focusable[0].classList.contains('skip')) problems.push('the skip link is not the first stop');
// `rgb(r, g, b[, a])`, or `color(srgb r g b[ / a])` (what color-mix() computes to, 0–1).
const rgb = c => { const v = (c.match(/[\d.]+/g) || []).map(Number); return c.startsWith('color(') ? v.map((x, i) => i < 3 ? x * 255 : x) : v; };
const lum = ([r, g, b]) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
const background = el => { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.length === 3 || (c.length === 4 && c[3] > 0.9)) return c.slice(0, 3); } return [255, 255, 255]; };
for (const el of document.querySelectorAll('body *')) {
  const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
  if (!own || !shown(el)) continue;
  const s = getComputedStyle(el);
  const fg = lum(rgb(s.color).slice(0, 3)), bg = lum(background(el));
  const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
  const size = parseFloat(s.fontSize), bold = parseInt(s.fontWeight, 10) >= 700;
  const large = size >= 24 || (bold && size >= 18.66);
  if (ratio < (large ? 3 : 4.5)) problems.push(`contrast ${ratio.toFixed(2)} for "${el.textContent.trim().slice(0, 40)}" (${s.color} on rgb(${background(el)}))`);
}
const shift = await new Promise(done => {
  let total = 0;
  new PerformanceObserver(list => { for (const e of list.getEntries()) if (!e.hadRecentInput) total += e.value; })
    .observe({ type: 'layout-shift', buffered: true });
  setTimeout(() => done(total), 300);
});
if (shift > 0) problems.push(`layout shift ${shift}`);
return problems;
})();
"#;

async fn audit(chrome: &Chrome, app: &TestApp, path: &str) -> Vec<String> {
    chrome.goto(&format!("{}{path}", app.url)).await;
    match chrome.run(AUDIT).await {
        Value::Array(items) => items
            .into_iter()
            .map(|v| format!("{path}: {}", v.as_str().unwrap_or_default()))
            .collect(),
        other => vec![format!("{path}: the audit returned {other}")],
    }
}

#[tokio::test]
async fn portal_pages_work_on_a_phone_and_a_laptop_for_everyone() {
    let app = spawn_app(&Backend::Sqlite).await;
    let ws = app.workspace("acme", "growth").await;
    app.take_every_addon(ws, "growth").await;
    let (staff, _) = app.staff(ws, "owner@agency.example").await;
    let client = app.client(ws, "Client Co").await;
    let samples = app.seed_modules(ws, client).await;
    let (_, dana) = app
        .contact(ws, client, "dana@client.example", &app.all_permissions())
        .await;
    let As::Contact(portal_token) = &dana else {
        unreachable!()
    };
    let As::Staff(staff_token) = &staff else {
        unreachable!()
    };
    let mut portal_pages = vec![
        "/w/acme/portal/".to_string(),
        "/w/acme/portal/notifications".into(),
        "/w/acme/portal/notifications/email".into(),
        "/w/acme/portal/account".into(),
    ];
    for r in app.state.routes.iter().filter(|r| {
        r.surface == portal_core::module::Surface::Portal
            && r.method == "GET"
            && r.module != portal_core::module::CORE
    }) {
        portal_pages.push(format!("/w/acme{}", concrete_path(r, &samples)));
    }
    let mut staff_pages = vec![
        "/w/acme/admin/".to_string(),
        format!("/w/acme/admin/clients/{client}"),
        "/w/acme/admin/home".into(),
        "/w/acme/admin/settings".into(),
        "/w/acme/admin/files".into(),
        "/w/acme/admin/team".into(),
    ];
    // Each linked module's staff index and the page of its seeded record.
    for r in app.state.routes.iter().filter(|r| {
        r.surface == portal_core::module::Surface::Admin
            && r.method == "GET"
            && (r.path == format!("/{}", r.module) || r.path == format!("/{}/{{id}}", r.module))
    }) {
        staff_pages.push(format!("/w/acme{}", concrete_path(r, &samples)));
    }

    let mut problems = Vec::new();
    for (width, height) in [(360, 740), (1280, 800)] {
        let chrome = Chrome::start(width, height).await;
        // Signed out first: the sign-in page, and a page of this origin to set cookies on.
        problems.extend(audit(&chrome, &app, "/w/acme/portal/sign-in").await);
        chrome.cookie("portico_portal", portal_token).await;
        chrome.cookie("portico_staff", staff_token).await;
        for path in portal_pages.iter().chain(&staff_pages) {
            problems.extend(
                audit(&chrome, &app, path)
                    .await
                    .into_iter()
                    .map(|p| format!("{width}px {p}")),
            );
        }
        chrome.quit().await;
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
