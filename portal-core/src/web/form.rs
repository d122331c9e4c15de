//! A submitted form read into a type and checked before the handler runs. A handler that
//! takes [`Form<T>`] only ever sees input that passed; otherwise nothing was changed and the
//! person sees the form's page again (422), with what they typed and, beside each wrong
//! field, what is wrong with it.
//!
//! How the page comes back: the rejection, [`Invalid`], travels out on the response; the
//! surface's [`ShowFormAgain`](crate::web::form_again) layer sees it, asks the same path
//! with `GET` (the page that holds the form, by the convention that a form posts to its own
//! page's address), and the contexts hand the page's template `invalid.values` and
//! `invalid.errors`. A form posted anywhere else, or from a script, gets a 400 that lists
//! the problems.
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
use axum::http::StatusCode;
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

    /// Text that must be given (spaces alone are not) and fit in `max` characters; `what`
    /// names it in the message ("a title").
    pub fn text(&mut self, field: &str, value: &str, max: usize, what: &str) {
        if value.trim().is_empty() {
            self.add(field, format!("Enter {what}."));
        }
        self.at_most(field, value, max, what);
    }

    /// A name (a client's, a person's): given, at most 200 characters, on one line — the
    /// same rule as `Fields::name`, with the same words.
    pub fn name(&mut self, field: &str, value: &str, what: &str) {
        let value = value.trim();
        if value.is_empty() {
            self.add(field, format!("Enter the {what}."));
        } else if value.chars().count() > 200 || value.chars().any(char::is_control) {
            self.add(
                field,
                format!("The {what} must be at most 200 characters, on one line."),
            );
        }
    }

    /// Text that may be empty but fits in `max` characters.
    pub fn at_most(&mut self, field: &str, value: &str, max: usize, what: &str) {
        if value.chars().count() > max {
            self.add(field, format!("Keep {what} to {max} characters."));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
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

impl<S: Send + Sync, T: DeserializeOwned + Check> FromRequest<S> for Form<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        // The body limit applies while it streams in (the app's `DefaultBodyLimit`).
        let body = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Error::PayloadTooLarge("The form is too large.".into())
            } else {
                Error::BadRequest(format!("The form could not be read: {e}"))
            }
            .into_response()
        })?;
        let values: BTreeMap<String, String> = form_urlencoded::parse(&body)
            .filter(|(k, _)| k != crate::web::csrf::FIELD)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
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
