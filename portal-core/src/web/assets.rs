//! Stylesheets, served from memory with URLs that change with their content, so browsers
//! keep them for a year: the main one, and a one-rule sheet per accent colour (which is what
//! keeps the Content-Security-Policy free of inline styles).
use std::sync::LazyLock;

use axum::extract::Query;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sha2::{Digest, Sha256};

pub const STYLESHEET: &str = include_str!("../../assets/portico.css");

/// Changes whenever the stylesheet does: `/assets/portico.css?v={ASSET_VERSION}`.
pub static ASSET_VERSION: LazyLock<String> = LazyLock::new(|| {
    Sha256::digest(STYLESHEET.as_bytes())
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
});

pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        STYLESHEET,
    )
}

#[derive(Deserialize)]
pub struct Accent {
    c: String,
}

/// `/assets/accent.css?c=0f766e` → `:root { --accent: #0f766e; … }`, with the text colour
/// readable on it and a shade of it readable as text on white (WCAG AA either way), so no
/// colour a workspace picks makes its buttons or links illegible.
pub async fn accent(Query(accent): Query<Accent>) -> Response {
    let colour = format!("#{}", accent.c);
    if !crate::branding::is_hex_colour(&colour) {
        return (StatusCode::BAD_REQUEST, "expected ?c=rrggbb").into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        format!(
            ":root {{ --accent: {colour}; --on-accent: {}; --accent-ink: {}; }}\n",
            crate::branding::on_accent(&colour),
            crate::branding::accent_ink(&colour)
        ),
    )
        .into_response()
}

/// `GET /assets/logo/{id}` on a workspace's address: its uploaded logo, to anyone — sign-in
/// pages and emails show it. Only the file the logo upload stored as the workspace's logo
/// answers; any other id, even of the workspace's own files, even one a typed logo address
/// names, is not found.
pub async fn logo(
    axum::extract::State(state): axum::extract::State<crate::app::AppState>,
    axum::Extension(tenant): axum::Extension<std::sync::Arc<crate::tenancy::Tenant>>,
    axum::extract::Path(id): axum::extract::Path<String>,
    headers: axum::http::HeaderMap,
) -> crate::error::Result<Response> {
    let id = crate::web::admin::parse_id(&id)?;
    if tenant.workspace.logo_file_id != Some(id) {
        return Err(crate::error::Error::NotFound);
    }
    let file = crate::files::get(&state.db, tenant.workspace.id, id).await?;
    crate::web::download::respond(&state, &file, &headers, false).await
}
