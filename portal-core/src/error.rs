//! The one error type of the core, and the policy for showing it.
//!
//! Handlers return `Result<_, Error>`. Turning an `Error` into a response does not render it:
//! it attaches an [`ErrorReport`] to an empty response, and the tenant layer (which knows the
//! surface, the workspace and its branding) renders it once — as an HTML page on `/portal` and
//! `/admin`, as JSON on `/api` — and logs internal causes. Users never see internal causes.
use http::StatusCode;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The path does not exist — or exists for a module this workspace is not entitled to,
    /// which must be indistinguishable.
    #[error("page not found")]
    NotFound,
    /// The request needs a signed-in portal contact (or staff user on staff surfaces).
    #[error("sign-in required")]
    SignInRequired,
    /// Signed in, entitled, but the action is not allowed (read-only tier, missing permission
    /// on an action the page shows).
    #[error("{0}")]
    Forbidden(String),
    /// The request itself is wrong: a malformed id, a missing field.
    #[error("{0}")]
    BadRequest(String),
    /// The action conflicts with the record's current state.
    #[error("{0}")]
    Conflict(String),
    /// An upload larger than the workspace allows, or than its plan's storage has room for.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// Too many attempts (sign-in, reset, one-time links); try again after this many seconds.
    #[error("too many attempts")]
    TooManyAttempts { retry_after_secs: u64 },
    /// Slowed down, not refused for security: what was too much, said to the user, and when
    /// to go on (a contact's hourly upload budget).
    #[error("rate limited: {message}")]
    RateLimited {
        message: String,
        retry_after_secs: u64,
    },
    #[error("database error")]
    Database(sqlx::Error),
    #[error("migration error")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("template error")]
    Template(#[from] minijinja::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        // Text PostgreSQL cannot store (a NUL byte, invalid UTF-8 sequences) is the
        // request's fault, whatever path it took: a 400 on both backends, never a 500.
        let unstorable = e
            .as_database_error()
            .and_then(|d| d.code())
            .is_some_and(|c| c == "22021" || c == "22P05");
        if unstorable {
            return Error::BadRequest("The text contains characters that cannot be stored.".into());
        }
        Error::Database(e)
    }
}

impl Error {
    pub fn status(&self) -> StatusCode {
        match self {
            Error::NotFound => StatusCode::NOT_FOUND,
            Error::SignInRequired => StatusCode::UNAUTHORIZED,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::Conflict(_) => StatusCode::CONFLICT,
            Error::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Error::TooManyAttempts { .. } | Error::RateLimited { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            Error::Database(_) | Error::Migrate(_) | Error::Template(_) | Error::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    /// A stable machine-readable code for the JSON API.
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotFound => "not_found",
            Error::SignInRequired => "sign_in_required",
            Error::Forbidden(_) => "forbidden",
            Error::BadRequest(_) => "bad_request",
            Error::Conflict(_) => "conflict",
            Error::PayloadTooLarge(_) => "too_large",
            Error::TooManyAttempts { .. } => "too_many_attempts",
            Error::RateLimited { .. } => "rate_limited",
            _ => "internal",
        }
    }

    /// What the user may read. Internal causes stay in the log.
    pub fn public_message(&self) -> String {
        match self {
            Error::NotFound => "The page you asked for does not exist.".into(),
            Error::SignInRequired => "Please sign in to continue.".into(),
            Error::Forbidden(m)
            | Error::BadRequest(m)
            | Error::Conflict(m)
            | Error::PayloadTooLarge(m)
            | Error::RateLimited { message: m, .. } => m.clone(),
            Error::TooManyAttempts { retry_after_secs } => format!(
                "Too many attempts. For your security, please wait {} and try again.",
                if *retry_after_secs <= 60 {
                    "a minute".to_string()
                } else {
                    format!("{} minutes", retry_after_secs.div_ceil(60))
                }
            ),
            _ => "Something went wrong on our side. Please try again in a moment.".into(),
        }
    }
}

/// Attached to a response by `Error::into_response` (`web::error_response`), consumed by the
/// renderer.
#[derive(Debug, Clone)]
pub struct ErrorReport {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// The internal cause, for the log only.
    pub cause: Option<String>,
}

impl From<&Error> for ErrorReport {
    fn from(e: &Error) -> Self {
        let status = e.status();
        let cause = status.is_server_error().then(|| format!("{e:?}"));
        ErrorReport {
            status,
            code: e.code(),
            message: e.public_message(),
            cause,
        }
    }
}
