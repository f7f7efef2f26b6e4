//! Session record keys. The record holds ids and short-lived flow state,
//! never a role (R2.4).

/// The `user_sessions` row of this sign-in.
pub const LOGIN: &str = "login";
/// A password (or Google) sign-in waiting for its second factor.
pub const PENDING: &str = "pending_2fa";
/// A TOTP secret being enrolled, until confirmed with a code.
pub const TOTP_ENROL: &str = "totp_enrol";
/// A Google identity with no account yet, for sign-up.
pub const GOOGLE_SIGNUP: &str = "google_signup";
/// PKCE verifier and state nonce of a Google sign-in in flight.
pub const GOOGLE_FLOW: &str = "google_flow";
