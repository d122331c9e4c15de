//! The one place an [`Error`] becomes a response: an empty one carrying its [`ErrorReport`],
//! which the tenant layer renders for the surface it is on (see [`crate::error`]).
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::{Error, ErrorReport};

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let report = ErrorReport::from(&self);
        let mut res = report.status.into_response();
        if let Error::TooManyAttempts { retry_after_secs }
        | Error::RateLimited {
            retry_after_secs, ..
        } = self
        {
            res.headers_mut()
                .insert(header::RETRY_AFTER, retry_after_secs.into());
        }
        res.extensions_mut().insert(report);
        res
    }
}
