//! Extractors that turn a request's parts into the values handlers work with, refusing the
//! way a user expects: a malformed id is the page that does not exist, an unreadable JSON
//! body a 400 that says what was wrong — never axum's own plain-text rejections.
use std::marker::PhantomData;

use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::app::AppState;
use crate::error::Error;
use crate::web::admin::form::Fields;
use crate::web::admin::parse_id;

/// A record's id from the route's one `{param}`. Anything but a positive whole number
/// answers 404, exactly like another client's record or one that never existed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| Error::NotFound)?;
        parse_id(&raw).map(Id)
    }
}

/// An API body of JSON read into `T`: a body that is not JSON, or not the shape `T` wants,
/// is a 400 saying why (the content type is not checked: scripts forget it).
#[derive(Clone, Debug)]
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Error> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| Error::BadRequest(format!("The body could not be read: {e}")))?;
        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(|e| Error::BadRequest(format!("The JSON could not be read: {e}")))
    }
}

/// A body extractor that runs only when the handler asks, so a handler finds the record its
/// path names before it reads a byte of the body: `body: Later<UploadForm>`, then, once the
/// record is found (and the caller allowed to change it), `body.read().await?`. A stranger's
/// id answers 404 whatever the body holds (the isolation probe sends big and malformed
/// ones), and nothing is stored or streamed for a request that was going to fail (a web
/// form's body may already have been read by the CSRF check, within its bound).
pub struct Later<T> {
    req: Request,
    state: AppState,
    body: PhantomData<fn() -> T>,
}

impl<S, T> FromRequest<S> for Later<T>
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = std::convert::Infallible;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Later {
            req,
            state: AppState::from_ref(state),
            body: PhantomData,
        })
    }
}

impl<T: FromRequest<AppState>> Later<T> {
    /// Reads the body now, as `T` would have.
    pub async fn read(self) -> Result<T, T::Rejection> {
        T::from_request(self.req, &self.state).await
    }
}

impl Later<Bytes> {
    /// The body as a web form's fields, read within the bounds of every form
    /// (`web::form::FORM_LIMIT`, `MAX_FIELDS`).
    pub async fn fields(self) -> Result<Fields, Error> {
        let body = crate::web::form::form_body(self.req).await?;
        Ok(Fields::parse(&body))
    }
}
