//! Authentication building blocks shared by the portal and staff surfaces.
pub mod password;

pub use password::Passwords;
