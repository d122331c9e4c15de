//! `/admin/settings` (and `/api/settings`): the portal's branding and whether it is open.
//! Owners and admins change; members look. What the plan does not include is shown, disabled,
//! and refused if sent changed.
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use minijinja::context;

use crate::app::AppState;
use crate::audit;
use crate::branding::{self, BrandingTier, Field, Settings, SettingsChange};
use crate::error::{Error, Result};
use crate::web::admin::form::Fields;
use crate::web::flash::Done;
use crate::web::session::ClientAddr;
use crate::web::StaffContext;

crate::flash! {
    /// What the settings page says after a change.
    pub enum SettingsDone {
        Saved = "saved" => "Settings saved: the portal shows them now.",
    }
}

fn require_settings_manager(ctx: &StaffContext) -> Result<()> {
    if ctx.can_manage() {
        Ok(())
    } else {
        Err(Error::Forbidden(
            "Only the workspace's owners and admins can change the portal's settings.".into(),
        ))
    }
}

fn page(
    ctx: &StaffContext,
    shown: &Settings,
    notice: Option<&str>,
    error: Option<&str>,
) -> Result<Html<String>> {
    let tier = BrandingTier::of(&ctx.tenant.entitlements);
    ctx.render(
        "admin/settings.html",
        context! {
            settings => shown,
            can_manage => ctx.can_manage(),
            partial => tier >= BrandingTier::Partial,
            full => tier == BrandingTier::Full,
            notice => notice,
            error => error,
            action => ctx.link("/settings"),
            logo_upload => ctx.link(&format!("/settings/logo?csrf_token={}", ctx.csrf_token)),
            limits => context! {
                logo_url => branding::LOGO_URL_MAX,
                welcome => branding::WELCOME_MAX,
                sender => branding::SENDER_MAX,
                support_email => branding::SUPPORT_EMAIL_MAX,
            },
        },
    )
}

/// `GET /admin/settings`.
pub async fn show(ctx: StaffContext, done: Done<SettingsDone>) -> Result<Html<String>> {
    page(
        &ctx,
        &Settings::of(&ctx.tenant.workspace),
        done.message(),
        None,
    )
}

/// The form as a change: disabled inputs are not submitted, so an absent field is unchanged.
fn change_from_form(form: &Fields) -> Result<SettingsChange> {
    let present = |key: &str| form.all(key).first().map(|v| v.to_string());
    let portal_enabled = match form.all("portal").first().copied() {
        None => None,
        Some("on") => Some(true),
        Some("off") => Some(false),
        Some(_) => {
            return Err(Error::BadRequest(
                "Choose whether the portal is on or off.".into(),
            ))
        }
    };
    Ok(SettingsChange {
        portal_enabled,
        logo_url: present("logo_url"),
        accent_color: present("accent_color"),
        welcome_message: present("welcome_message"),
        support_email: present("support_email"),
        sender_name: present("sender_name"),
    })
}

/// `POST /admin/settings`. Bad input shows the form again, with what was typed and why it
/// was refused (400); nothing is saved.
pub async fn save(
    State(state): State<AppState>,
    ctx: StaffContext,
    addr: ClientAddr,
    body: Bytes,
) -> Result<Response> {
    require_settings_manager(&ctx)?;
    let current = Settings::of(&ctx.tenant.workspace);
    let form = Fields::parse(&body);
    let tier = BrandingTier::of(&ctx.tenant.entitlements);
    let applied = change_from_form(&form).and_then(|change| current.apply(&change, tier));
    let (new, changed) = match applied {
        Ok(done) => done,
        Err(Error::BadRequest(message)) => {
            let typed = typed_back(&current, &form);
            let html = page(&ctx, &typed, None, Some(&message))?;
            return Ok((StatusCode::BAD_REQUEST, html).into_response());
        }
        Err(e) => return Err(e),
    };
    store(&state, &ctx, &addr, &new, &changed).await?;
    Ok(ctx
        .redirect_done("/settings", SettingsDone::Saved)
        .into_response())
}

/// What the form showed when it was sent, so a refused value can be corrected in place.
fn typed_back(current: &Settings, form: &Fields) -> Settings {
    let typed = |key: &str, was: &Option<String>| match form.all(key).first() {
        Some(v) => Some(v.to_string()),
        None => was.clone(),
    };
    Settings {
        portal_enabled: match form.all("portal").first().copied() {
            Some("off") => false,
            Some("on") => true,
            _ => current.portal_enabled,
        },
        logo_url: typed("logo_url", &current.logo_url),
        accent_color: form
            .all("accent_color")
            .first()
            .filter(|c| crate::branding::is_hex_colour(c))
            .map_or_else(|| current.accent_color.clone(), |c| c.to_string()),
        welcome_message: typed("welcome_message", &current.welcome_message),
        support_email: typed("support_email", &current.support_email),
        sender_name: typed("sender_name", &current.sender_name),
    }
}

/// Writes the settings and one audit entry per changed field.
async fn store(
    state: &AppState,
    ctx: &StaffContext,
    addr: &ClientAddr,
    new: &Settings,
    changed: &[Field],
) -> Result<()> {
    if changed.is_empty() {
        return Ok(());
    }
    crate::branding::save(&state.db, ctx.tenant.workspace.id, new).await?;
    let ip = addr.text();
    for field in changed {
        let (action, subject) = match field {
            Field::Portal => (
                "switched the client portal",
                if new.portal_enabled { "on" } else { "off" }.to_string(),
            ),
            Field::Accent => (
                "changed the portal's",
                format!("accent colour to {}", new.accent_color),
            ),
            Field::Logo => (
                "changed the portal's",
                match &new.logo_url {
                    Some(url) => format!("logo to {url}"),
                    None => "logo to none".into(),
                },
            ),
            Field::SupportEmail => (
                "changed the portal's",
                format!(
                    "support email to {}",
                    new.support_email.as_deref().unwrap_or("none")
                ),
            ),
            Field::Sender => (
                "changed the portal's",
                format!(
                    "email sender name to {}",
                    new.sender_name.as_deref().unwrap_or("the workspace's name")
                ),
            ),
            Field::Welcome => ("changed the portal's", field.label().to_string()),
        };
        audit::record(&state.db, &ctx.user, action, &subject, &ip).await?;
    }
    Ok(())
}

/// `GET /api/settings`: the stored settings, and which of them the plan lets the workspace
/// change.
pub async fn api_show(ctx: StaffContext) -> Result<Json<serde_json::Value>> {
    Ok(Json(api_view(&ctx, &Settings::of(&ctx.tenant.workspace))))
}

fn api_view(ctx: &StaffContext, settings: &Settings) -> serde_json::Value {
    let tier = BrandingTier::of(&ctx.tenant.entitlements);
    serde_json::json!({
        "settings": settings,
        "plan_includes": {
            "logo_url": tier >= BrandingTier::Partial,
            "accent_color": tier >= BrandingTier::Partial,
            "welcome_message": tier == BrandingTier::Full,
            "support_email": tier == BrandingTier::Full,
            "sender_name": tier == BrandingTier::Full,
        },
    })
}

/// `PUT /api/settings` (or `POST`): a JSON object with the fields to change, as
/// [`SettingsChange`] names them; absent fields stay, `""` clears an optional one.
pub async fn api_save(
    State(state): State<AppState>,
    ctx: StaffContext,
    addr: ClientAddr,
    body: Bytes,
) -> Result<Json<serde_json::Value>> {
    require_settings_manager(&ctx)?;
    let change: SettingsChange = serde_json::from_slice(&body).map_err(|e| {
        Error::BadRequest(format!("Send a JSON object of settings to change ({e})."))
    })?;
    let tier = BrandingTier::of(&ctx.tenant.entitlements);
    let (new, changed) = Settings::of(&ctx.tenant.workspace).apply(&change, tier)?;
    store(&state, &ctx, &addr, &new, &changed).await?;
    Ok(Json(api_view(&ctx, &new)))
}

/// The largest logo: a header image, not a poster.
const LOGO_MAX_BYTES: i64 = 2 * 1024 * 1024;

/// `POST /admin/settings/logo` (multipart, one `file`): the workspace's logo, uploaded into
/// the file store and served from the workspace's own address (`/assets/logo/{id}`, public:
/// sign-in pages and emails show it), which becomes the logo address. A PNG, JPEG, GIF or
/// WebP of at most 2 MB; owners and admins, on plans with branding.
pub async fn upload_logo(
    State(state): State<AppState>,
    ctx: StaffContext,
    addr: ClientAddr,
    form: crate::web::upload_form::UploadForm,
) -> Result<Response> {
    require_settings_manager(&ctx)?;
    if BrandingTier::of(&ctx.tenant.entitlements) < BrandingTier::Partial {
        return Err(Error::Forbidden(
            "A logo is part of plans with branding.".into(),
        ));
    }
    // Streamed like any upload, but held to the logo's own limit while it streams; the type
    // is read from the content. Nothing is kept (or audited) unless it is one image.
    let mut form = form;
    let mut stored: Option<crate::files::StoredFile> = None;
    let refuse = |msg: &str| Error::BadRequest(msg.to_string());
    while let Some(field) = form.next().await? {
        let Some(name) = field
            .file_name()
            .filter(|n| !n.is_empty())
            .map(str::to_string)
        else {
            field.skip().await?;
            continue;
        };
        if stored.is_some() {
            if let Some(first) = stored.take() {
                crate::files::delete(&state.db, &state.files, ctx.tenant.workspace.id, first.id)
                    .await?;
            }
            return Err(refuse("Upload one image as the logo."));
        }
        let declared = field.content_type().map(str::to_string);
        let up = crate::files::upload::Upload {
            workspace_id: ctx.tenant.workspace.id,
            client_id: None,
            name: &name,
            declared: declared.as_deref(),
            uploaded_by: &ctx.user.name,
            cap: None,
            max_bytes: LOGO_MAX_BYTES as u64,
            quota: ctx
                .tenant
                .entitlements
                .limits
                .storage_mb
                .map(|m| m.saturating_mul(1024 * 1024)),
        };
        let file =
            crate::files::upload::store(&state.db, &state.files, &up, field.into_stream()).await?;
        stored = Some(file);
    }
    let Some(file) = stored else {
        return Err(refuse("Choose an image to upload as the logo."));
    };
    let image = matches!(
        file.content_type.as_str(),
        "image/png" | "image/jpeg" | "image/gif" | "image/webp"
    );
    if !image {
        crate::files::delete(&state.db, &state.files, ctx.tenant.workspace.id, file.id).await?;
        return Err(refuse(
            "A logo is a PNG, JPEG, GIF or WebP image of at most 2 MB.",
        ));
    }
    let url = format!(
        "{}/assets/logo/{}",
        crate::email::workspace_url(&state.config, &ctx.tenant.workspace.slug),
        file.id
    );
    crate::workspace::set_logo(&state.db, ctx.tenant.workspace.id, file.id, &url).await?;
    let subject = format!("logo to the uploaded {}", file.name);
    audit::record(
        &state.db,
        &ctx.user,
        "changed the portal's",
        &subject,
        &addr.text(),
    )
    .await?;
    Ok(ctx
        .redirect_done("/settings", SettingsDone::Saved)
        .into_response())
}
