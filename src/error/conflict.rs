//! Why a well-formed request collides with the current state (HTTP 409).
//!
//! Each conflict is a variant, not a sentence, so the UI can act on it: the
//! stock conflict modal (SPEC R6.3) reads who holds the unit, since when and
//! its version; everything else shows the variant's message. The messages
//! are what people read today — tests assert on them, keep them exact.

use crate::domain::InvitationState;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Conflict {
    /// R6.3: the unit's row lock was not granted in time, or its version is
    /// no longer the one the person was looking at. The conflict modal shows
    /// who holds it now and since when, and offers a refresh to `version`.
    #[error("{holder} has held this unit since {}. Refresh to see where it stands.", utc_minute(*since))]
    UnitHeld {
        /// The holder's display name (an agent or an agency).
        holder: String,
        #[serde(with = "time::serde::rfc3339")]
        since: OffsetDateTime,
        /// The unit's current version, to retry against.
        version: i64,
    },
    /// R4.4: the Owner must hand the organisation on before leaving.
    #[error("The Owner can't leave: transfer ownership to an Admin first.")]
    OwnerCannotLeave,
    /// R4.6: transferring ownership to oneself.
    #[error("You are already the Owner.")]
    AlreadyOwner,
    /// R4.6: the transfer target does not qualify.
    #[error(transparent)]
    TransferGate(#[from] TransferGate),
    /// R3.6: signed in with a recovery code; nothing else until a new
    /// second factor is enrolled.
    #[error(
        "Set up two-step verification again before you continue: open Security in your account."
    )]
    ReenrolFirst,
    /// R5.4: the invitation was used, withdrawn, declined or has expired.
    #[error("{}", not_pending(*.0))]
    NotPending(InvitationState),
    /// R5.4: a personal invitation accepted from another account.
    #[error("This invitation is for {invited}, but you're signed in as {signed_in}.")]
    WrongAccount { invited: String, signed_in: String },
    /// R5.5: one invitation re-sent within its cool-down.
    #[error(
        "That invitation was sent a few minutes ago. You can resend it in {}.",
        about_minutes(*retry_after_secs)
    )]
    ResendTooSoon { retry_after_secs: u32 },
    /// R1.6: the slug is unique within the organisation.
    #[error("That address is already used by another project in your organisation.")]
    SlugTaken,
    /// R1.5: an archived client gets no new projects until restored.
    #[error("That client is archived. Restore it to run a new project for it.")]
    ClientArchived,
    /// R1.7: the organisation already works on the project.
    #[error("That organisation is already a partner on this project.")]
    AlreadyPartner,
    /// R5.2: a forward invitation to the project's own organisation.
    #[error("This project is your organisation's own; invite another organisation.")]
    OwnOrganisation,
    /// R7.3: a sold or withdrawn unit is no longer sent to buyers.
    #[error("That unit is no longer on sale, so it can't be sent to a buyer.")]
    UnitNotOffered,
    /// R1.3: a partner's kind must be one of its organisation's types.
    #[error("{}", partner_type_missing(*.0))]
    PartnerTypeMissing(crate::domain::PartnerKind),
    /// R1.8: a unit's code is unique within its project.
    #[error("Another unit of this project already has that code.")]
    UnitCodeTaken,
    /// Issue 14: a sold or withdrawn unit is not reserved.
    #[error("That unit is sold or withdrawn, so it can't be reserved.")]
    UnitNotReservable,
    /// Issue 14: releasing a unit that has no active reservation the
    /// person may end.
    #[error("That unit has no reservation of yours to release.")]
    NotReserved,
    /// Issue 14: one idempotency key sent again with a different request.
    #[error("That request was already sent with different details. Refresh and try again.")]
    IdempotencyKeyReused,
    /// Issue 13: a project's gallery holds at most `max` images.
    #[error("The gallery is full ({max} images). Remove one before adding another.")]
    GalleryFull { max: u32 },
}

fn partner_type_missing(kind: crate::domain::PartnerKind) -> &'static str {
    match kind {
        crate::domain::PartnerKind::Studio => {
            "That organisation doesn't work as a studio on offplan, so it can't join as one."
        }
        crate::domain::PartnerKind::Agency => {
            "That organisation doesn't work as an agency on offplan, so it can't join as one."
        }
    }
}

/// R4.6 target gate: why a member may not receive ownership.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum TransferGate {
    #[error("Ownership can only go to an Admin. Make them an Admin first.")]
    NotAdmin,
    #[error("Their email address isn't verified yet.")]
    EmailUnverified,
    #[error("This organisation requires a second factor, and they haven't set one up.")]
    NoSecondFactor,
}

fn not_pending(state: InvitationState) -> &'static str {
    match state {
        InvitationState::Expired => "This invitation has expired.",
        InvitationState::Revoked => "This invitation was withdrawn.",
        InvitationState::Declined => "This invitation was declined.",
        InvitationState::Accepted | InvitationState::Valid => {
            "This invitation has already been used."
        }
    }
}

/// How [`crate::AppError::Conflict`] crosses the server-function boundary:
/// the variant beside its message, so the JSON body of a 409 reads as the
/// sentence the person sees to any client, not only to this enum.
pub(crate) mod wire {
    use super::Conflict;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize)]
    struct Out<'a> {
        detail: &'a Conflict,
        message: String,
    }

    /// The message is derived from the variant; reading it back would
    /// only let the two disagree.
    #[derive(Deserialize)]
    struct In {
        detail: Conflict,
    }

    pub fn serialize<S: Serializer>(conflict: &Conflict, s: S) -> Result<S::Ok, S::Error> {
        Out {
            detail: conflict,
            message: conflict.to_string(),
        }
        .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Conflict, D::Error> {
        In::deserialize(d).map(|w| w.detail)
    }
}

/// "about 7 minutes" for a wait in seconds: rounded up, never "0".
pub fn about_minutes(secs: u32) -> String {
    match secs.div_ceil(60).max(1) {
        1 => "about a minute".to_owned(),
        n => format!("about {n} minutes"),
    }
}

/// "22 November 2026, 14:05 UTC".
fn utc_minute(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{} {} {}, {:02}:{:02} UTC",
        t.day(),
        t.month(),
        t.year(),
        t.hour(),
        t.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_the_sentences_people_read() {
        assert_eq!(
            Conflict::OwnerCannotLeave.to_string(),
            "The Owner can't leave: transfer ownership to an Admin first."
        );
        assert_eq!(
            Conflict::from(TransferGate::NoSecondFactor).to_string(),
            "This organisation requires a second factor, and they haven't set one up."
        );
        assert_eq!(
            Conflict::NotPending(InvitationState::Revoked).to_string(),
            "This invitation was withdrawn."
        );
        assert_eq!(
            Conflict::WrongAccount {
                invited: "a@x.example".into(),
                signed_in: "b@x.example".into()
            }
            .to_string(),
            "This invitation is for a@x.example, but you're signed in as b@x.example."
        );
        assert_eq!(
            Conflict::ResendTooSoon {
                retry_after_secs: 61
            }
            .to_string(),
            "That invitation was sent a few minutes ago. You can resend it in about 2 minutes."
        );
        assert_eq!(
            Conflict::SlugTaken.to_string(),
            "That address is already used by another project in your organisation."
        );
        assert_eq!(
            Conflict::PartnerTypeMissing(crate::domain::PartnerKind::Agency).to_string(),
            "That organisation doesn't work as an agency on offplan, so it can't join as one."
        );
    }

    #[test]
    #[cfg(feature = "ssr")]
    fn a_held_unit_says_who_and_since_when_and_survives_json() {
        let held = Conflict::UnitHeld {
            holder: "Ava Agent".into(),
            // 2026-11-22 14:05:59 +01:00
            since: OffsetDateTime::from_unix_timestamp(1_795_352_759)
                .unwrap()
                .to_offset(time::UtcOffset::from_hms(1, 0, 0).unwrap()),
            version: 7,
        };
        assert_eq!(
            held.to_string(),
            "Ava Agent has held this unit since 22 November 2026, 13:05 UTC. \
             Refresh to see where it stands."
        );
        let json = serde_json::to_string(&crate::AppError::Conflict(held.clone())).unwrap();
        assert!(json.contains("Refresh to see where it stands."), "{json}");
        let back: crate::AppError = serde_json::from_str(&json).unwrap();
        assert_eq!(back, crate::AppError::Conflict(held));
    }

    #[test]
    fn waits_round_up_to_whole_minutes() {
        assert_eq!(about_minutes(0), "about a minute");
        assert_eq!(about_minutes(60), "about a minute");
        assert_eq!(about_minutes(61), "about 2 minutes");
    }
}
