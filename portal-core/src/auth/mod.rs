//! Authentication building blocks shared by the portal and staff surfaces.
pub mod limits;
pub mod links;
pub mod password;

pub use limits::AttemptLimits;
pub use password::Passwords;
