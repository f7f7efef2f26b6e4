//! Everything that runs without a [`Scope`](super::Scope): the one place to
//! look for what reaches the database outside a verified membership
//! (STYLE.md convention 2, docs/architecture.md rule 2).
//!
//! Each operation is here because it must run before (or outside) any
//! tenant: the person is not signed in yet, holds only a link, or acts on
//! their own account rather than on an organisation's data. Most are
//! methods on [`Gate`](super::Gate), the handle requests get; operator
//! commands take the owner's [`AdminDb`](super::admin::AdminDb). Where one
//! writes into an organisation (sign-up, accepting an invitation, a sign-in
//! seen by each organisation of the person) it sets that tenant first
//! (`super::tenant`), so row-level security still applies.
//!
//! | file | what |
//! |---|---|
//! | [`brand`] | host → an organisation's public brand and profile |
//! | [`buyer_page`] | a buyer link by its token: the one unit it shows, recording the open |
//! | [`public_projects`] | an active project's public home, by its (old) slug |
//! | [`sessions`] | sign-in candidate, sessions of the signed-in person, the organisation picker |
//! | [`totp`] | the second factor and recovery codes |
//! | [`password`] | password reset by token, password change |
//! | [`verification`] | email verification by token |
//! | [`google`] | matching a Google identity to an account |
//! | [`signup`] | sign-up: the account and its first organisation |
//! | [`invitee`] | an invitation by its token: view, accept, decline |
//! | [`invitee_signup`] | signing up from an invitation |
//! | [`partner_invitee`] | a forward invitation by its token: view, accept (as an organisation of the person's or a new one), sign up, decline |
//! | [`client_invitee`] | a reverse invitation by its token: view, accept (a Free Guest organisation), decline, sign up |
//! | [`media`] | the media origin: a live image's type by its content-hash name |
//! | [`limits`] | rate limits and the failed-token burst alert |
//! | [`events`] | security events the web layer records itself |
//! | [`outbox`] | outbox delivery and purge, the development outbox page |
//! | [`operator`] | operator commands about a person: lookup, second-factor reset, assisted ownership transfer (owner role) |
//! | [`provision`] | an operator provisioning an organisation (owner role) |

pub mod brand;
pub mod buyer_page;
pub mod client_invitee;
pub mod events;
pub mod google;
pub mod invitee;
pub mod invitee_signup;
pub mod limits;
pub mod media;
pub mod operator;
pub mod outbox;
pub mod partner_invitee;
pub mod password;
pub mod provision;
pub mod public_projects;
pub mod sessions;
pub mod signup;
pub mod totp;
pub mod verification;

pub use client_invitee::ClientInvitationView;
pub use google::{GoogleIdentity, GoogleMatch};
pub use invitee::{AcceptOutcome, InvitationView};
pub use invitee_signup::{InviteeSignup, InviteeSignupError};
pub use partner_invitee::{
    AcceptAs, PartnerAcceptError, PartnerAcceptOutcome, PartnerChoice, PartnerInvitationView,
    PartnerJoined, PartnerSignup,
};
pub use password::ResetTarget;
pub use provision::{provision, Provision, Provisioned};
pub use public_projects::PublicProject;
pub use sessions::{LoginCandidate, OrgChoice, SessionRow, SessionUser};
pub use signup::{NewSignup, SignupError, SignupOutcome};
pub use verification::{Purpose, VerificationMail, Verified};
