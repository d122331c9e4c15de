//! A form that failed its checks comes back as its page, not as an error page: when a
//! `POST` answers with an [`Invalid`] form, this layer asks the same route for its `GET`
//! page, with the [`Invalid`] attached for the request contexts to hand to the template,
//! and answers that page with 422. Every form of every module gets this by posting to its
//! own page's address and taking [`Form<T>`](crate::web::form::Form); no handler writes it.
//!
//! It wraps the whole routed portal (inside tenancy, which has resolved the workspace and
//! stripped `/w/{slug}`), not each route: a route's own layers see one method's handler,
//! and the page is another method's. The `GET` runs the full way again — session, CSRF
//! token, route gate — with the `POST`'s cookies. If there is no page there, or it does not
//! render, the `POST`'s own 400 (which lists the problems) is the answer.
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, Method, StatusCode};
use axum::response::Response;
use tower::Service;

use crate::module::Surface;
use crate::web::form::Invalid;
use crate::web::tenant::surface_of;

/// Wraps the routed portal (`app.rs`).
#[derive(Clone, Debug)]
pub struct ShowFormAgain<S> {
    inner: S,
}

impl<S> ShowFormAgain<S> {
    pub fn new(inner: S) -> Self {
        ShowFormAgain { inner }
    }
}

impl<S> Service<Request> for ShowFormAgain<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        // The service that was polled ready answers this request; a clone answers the page.
        let again = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, again.clone());
        // Only a browser's post to a page: the API and other services' hooks get the 400.
        let browser_page = matches!(
            surface_of(req.uri().path()),
            Surface::Portal | Surface::Admin
        );
        if req.method() != Method::POST || !browser_page {
            return Box::pin(inner.call(req));
        }
        let (parts, body) = req.into_parts();
        let mut page = Request::new(Body::empty());
        *page.uri_mut() = parts.uri.clone();
        *page.version_mut() = parts.version;
        *page.headers_mut() = parts.headers.clone();
        *page.extensions_mut() = parts.extensions.clone();
        Box::pin(async move {
            let res = inner.call(Request::from_parts(parts, body)).await?;
            let Some(invalid) = res.extensions().get::<Arc<Invalid>>().cloned() else {
                return Ok(res);
            };
            for name in [header::CONTENT_TYPE, header::CONTENT_LENGTH] {
                page.headers_mut().remove(name);
            }
            page.extensions_mut().insert(invalid);
            let mut again = again;
            std::future::poll_fn(|cx| again.poll_ready(cx)).await?;
            let mut shown = again.call(page).await?;
            if shown.status() != StatusCode::OK {
                return Ok(res);
            }
            *shown.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(shown)
        })
    }
}
