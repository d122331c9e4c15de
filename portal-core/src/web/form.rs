//! A submitted form read into a type and checked before the handler runs. A handler that
//! takes [`Form<T>`] only ever sees input that passed; otherwise nothing was changed and the
//! person sees the form's page again (422), with what they typed and, beside each wrong
//! field, what is wrong with it.
//!
//! How the page comes back: the rejection, [`Invalid`], travels out on the response; the
//! `ShowFormAgain` layer (`web::form_again`) sees it on a browser's post to the portal or the
//! admin, asks the same path with `GET` (the page that holds the form, by the convention that
//! a form posts to its own page's address), and the contexts hand the page's template
//! `invalid.values` and `invalid.errors`. The API, or a path with no page, gets a 400 that
//! lists the problems. The body is bounded while it streams ([`FORM_LIMIT`], [`MAX_FIELDS`]),
//! and what is kept to show again leaves out secrets and long tails. A GET page shown again
//! runs as any view of it does: keep form pages free of writes.
//!
//! ```ignore
//! #[derive(Deserialize)]
//! struct NewNotice { title: String }
//! impl Check for NewNotice {
//!     fn check(&self, errors: &mut FieldErrors) {
//!         errors.text("title", &self.title, 200, "a title");
//!     }
//! }
//! async fn post(ctx: StaffContext, Form(new): Form<NewNotice>) -> Result<Redirect> { … }
//! ```
use std::collections::BTreeMap;
use std::fmt::Display;
use std::str::FromStr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::de::{DeserializeOwned, Deserializer};
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// The checks a form's values get once they have their types.
pub trait Check {
    fn check(&self, errors: &mut FieldErrors);
}

/// A form body that passed its type and its [`Check`]s.
pub struct Form<T>(pub T);

/// What is wrong, by field name; the first problem found for a field is the one said.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FieldErrors(BTreeMap<String, String>);

/// Where a problem that belongs to no one field is filed (`invalid.errors.form`).
pub const WHOLE_FORM: &str = "form";

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_string())
            .or_insert_with(|| message.into());
    }

    /// Text that must be given (spaces alone are not) and fit in `max` characters on one
    /// line; `what` names it in the message ("a title").
    pub fn text(&mut self, field: &str, value: &str, max: usize, what: &str) {
        if value.trim().is_empty() {
            self.add(field, format!("Enter {what}."));
        }
        if value.chars().any(char::is_control) {
            self.add(field, format!("Keep {what} to one line of text."));
        }
        self.at_most(field, value, max, what);
    }

    /// A name (a client's, a person's): given, at most 200 characters, on one line — the
    /// same rule as `Fields::name`, with the same words.
    pub fn name(&mut self, field: &str, value: &str, what: &str) {
        if let Some(problem) = name_problem(value, what) {
            self.add(field, problem);
        }
    }

    /// Text that may be empty, may run over lines, and fits in `max` characters.
    pub fn at_most(&mut self, field: &str, value: &str, max: usize, what: &str) {
        if value.chars().count() > max {
            self.add(field, format!("Keep {what} to {max} characters."));
        }
        let stray = |c: char| c.is_control() && !matches!(c, '\n' | '\r' | '\t');
        if value.chars().any(stray) {
            self.add(
                field,
                format!("Take the stray control characters out of {what}."),
            );
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }
}

/// What is wrong with `value` as a name (given, at most 200 characters, on one line), if
/// anything; `what` names it ("client's name"). One rule for typed forms and `Fields`.
pub(crate) fn name_problem(value: &str, what: &str) -> Option<String> {
    let value = value.trim();
    if value.is_empty() {
        Some(format!("Enter the {what}."))
    } else if value.chars().count() > 200 || value.chars().any(char::is_control) {
        Some(format!(
            "The {what} must be at most 200 characters, on one line."
        ))
    } else {
        None
    }
}

/// A form that failed its checks: the values as sent (never the CSRF token) and the
/// problems, for the page's template to show again.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Invalid {
    pub values: BTreeMap<String, String>,
    pub errors: FieldErrors,
}

impl Invalid {
    /// Every problem in one sentence per field, for a response with no form to show.
    pub fn message(&self) -> String {
        let all: Vec<&str> = self.errors.0.values().map(String::as_str).collect();
        all.join(" ")
    }
}

impl IntoResponse for Invalid {
    /// A 400 listing the problems, carrying the form for the page to show again.
    fn into_response(self) -> Response {
        let mut res = Error::BadRequest(self.message()).into_response();
        res.extensions_mut().insert(Arc::new(self));
        res
    }
}

/// The most a form body may hold, read with this bound whatever the route's own limit (an
/// upload route has none): a form is typed text.
pub const FORM_LIMIT: usize = 1024 * 1024;
/// The most fields a form may have; more is not a form anyone filled in.
pub const MAX_FIELDS: usize = 256;
/// What of a field's value is kept to show again; a longer one is said to be too long anyway.
const KEPT_CHARS: usize = 10_000;

/// The body of a form, bounded while it streams: a web form's encoding only, at most
/// [`FORM_LIMIT`] bytes and [`MAX_FIELDS`] fields.
pub(crate) async fn form_body(req: Request) -> Result<Bytes, Error> {
    let urlencoded = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !urlencoded {
        return Err(Error::BadRequest("Send the form as a web form.".into()));
    }
    let body = axum::body::to_bytes(req.into_body(), FORM_LIMIT)
        .await
        .map_err(|_| Error::PayloadTooLarge("The form is too large.".into()))?;
    if form_urlencoded::parse(&body).nth(MAX_FIELDS).is_some() {
        return Err(Error::BadRequest("The form has too many fields.".into()));
    }
    Ok(body)
}

/// Whether a field's value may be sent back into the page: never a secret.
fn shown_again(key: &str) -> bool {
    key != crate::web::csrf::FIELD && !key.contains("password") && !key.contains("secret")
}

impl<S: Send + Sync, T: DeserializeOwned + Check> FromRequest<S> for Form<T> {
    type Rejection = Response;

    async fn from_request(req: Request, _: &S) -> Result<Self, Response> {
        let body = form_body(req).await.map_err(IntoResponse::into_response)?;
        let values: BTreeMap<String, String> = form_urlencoded::parse(&body)
            .filter(|(k, _)| shown_again(k))
            .map(|(k, v)| (k.into_owned(), v.chars().take(KEPT_CHARS).collect()))
            .collect();
        let mut errors = FieldErrors::default();
        match serde_urlencoded::from_bytes::<T>(&body) {
            Ok(input) => {
                input.check(&mut errors);
                if errors.is_empty() {
                    return Ok(Form(input));
                }
            }
            Err(e) => errors.add(WHOLE_FORM, format!("The form was not sent correctly: {e}.")),
        }
        Err(Invalid { values, errors }.into_response())
    }
}

/// For `#[serde(default, deserialize_with = "empty_as_none")]`: a choice whose empty option
/// means none (`<option value="">All clients</option>`), else a value of `T`.
pub fn empty_as_none<'de, D, T>(de: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr,
    T::Err: Display,
{
    let raw = String::deserialize(de)?;
    match raw.trim() {
        "" => Ok(None),
        raw => raw.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_must_be_given_and_fit() {
        let mut errors = FieldErrors::default();
        errors.text("title", "   ", 5, "a title");
        errors.text("body", "123456", 5, "the text");
        errors.text("fine", "12345", 5, "anything");
        assert_eq!(errors.get("title"), Some("Enter a title."));
        assert_eq!(errors.get("body"), Some("Keep the text to 5 characters."));
        assert_eq!(errors.get("fine"), None);
    }
}
