//! The closed registry of audit actions (SPEC R8.1): every action the
//! application may record, with the metadata keys it may carry. Metadata is
//! for non-personal facts (roles, ids, counts); anything personal (an email,
//! a name typed by someone) goes to the event's personal-data part instead,
//! outside the hash (R8.5).

use serde::{Deserialize, Serialize};

macro_rules! registry {
    ($( $(#[$doc:meta])* $variant:ident => $name:literal, [$($key:literal),*]; )*) => {
        /// What happened, in `noun.verb` form (the database checks the shape).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum Action {
            $( $(#[$doc])* $variant, )*
        }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $( Action::$variant => $name, )*
                }
            }

            /// The metadata keys this action may carry; any other key is refused.
            pub fn metadata_keys(self) -> &'static [&'static str] {
                match self {
                    $( Action::$variant => &[$($key),*], )*
                }
            }
        }
    };
}

registry! {
    OrgCreated => "org.created", ["subdomain"];
    /// An operator reset a member's lost second factor (R3.6).
    MemberSecondFactorReset => "member.second_factor_reset", ["operator", "checklist"];
    /// A personal invitation was created (R4.2, R5.1).
    InvitationSent => "invitation.sent", ["role"];
    /// A pending invitation to the same email was re-issued (R4.2).
    InvitationRefreshed => "invitation.refreshed", ["role", "previous_role"];
    /// The same invitation was mailed again with a new link (R4.5).
    InvitationResent => "invitation.resent", ["sent_count"];
    /// R4.5; `reason` when the system revoked it because its inviter lost
    /// the right to grant the role (removed, left, or a new role, R4.4).
    InvitationRevoked => "invitation.revoked", ["role", "reason"];
    /// Accepting admits the person with the invited role (R5.4).
    InvitationAccepted => "invitation.accepted", ["role", "invitation_id"];
    InvitationDeclined => "invitation.declined", ["role"];
    /// R4.3.
    MemberRoleChanged => "member.role_changed", ["from", "to"];
    /// R4.4.
    MemberRemoved => "member.removed", ["role"];
    MemberLeft => "member.left", ["role"];
    /// R4.6: the target is the new Owner.
    OwnershipTransferred => "ownership.transferred", ["previous_owner", "operator", "checklist"];
    /// A member signed in, anywhere (R8.1 login events).
    SignedIn => "auth.signed_in", [];
    /// R8.4: exporting the log is itself audited.
    AuditExported => "audit.exported", ["rows", "filters"];
    /// R8.6: a platform operator looked this member up; the operator's name
    /// and the reason they gave (the IP of a CLI run is none).
    MemberLookedUp => "member.looked_up", ["operator", "reason"];
    /// R5.5 burst alert: one address failed more than the threshold of
    /// token lookups on this organisation's address within the window (the
    /// address itself is in the personal-data part).
    TokenLookupBurst => "security.token_lookup_burst", ["failures", "window_secs"];
    /// R1.5: a Studio added a client record. Its name, contact and notes
    /// are personal data (R8.5): the name and contact go to the event's
    /// personal-data part, the notes nowhere.
    ClientCreated => "client.created", [];
    /// R1.5: which fields changed (`name`, `contact_name`, `contact_email`,
    /// `notes`), never their values.
    ClientUpdated => "client.updated", ["fields"];
    ClientArchived => "client.archived", [];
    ClientRestored => "client.restored", [];
    /// R1.6, R1.3: a project was created (`client`: on behalf of one of
    /// the studio's clients).
    ProjectCreated => "project.created", ["slug", "status", "client"];
    /// R1.6: name, address or status changed; only the changed ones are
    /// carried (project names are business data, not personal).
    ProjectUpdated => "project.updated",
        ["name_changed", "slug_from", "slug_to", "status_from", "status_to"];
    /// R6.1: the stock mode was toggled, before and after.
    ProjectStockModeChanged => "project.stock_mode_changed", ["from", "to"];
    /// R5.2: a forward invitation to join the project as a studio or an
    /// agency (`partner_org` when it names an existing organisation; the
    /// email, if any, is personal data and goes to the PII part).
    /// A buyer opened their link (R7.3): the target is the link; `unit`
    /// which unit it shows. No actor; the address is personal data.
    BuyerLinkOpened => "buyer_link.opened", ["unit"];
    PartnerInvited => "partner.invited", ["kind", "partner_org", "partner_name", "refreshed"];
    PartnerInvitationRevoked => "partner.invitation_revoked", ["kind"];
    PartnerInvitationDeclined => "partner.invitation_declined", ["kind"];
    /// R1.7: an organisation was admitted as a partner by accepting
    /// (`created`: it was created in the flow). Written into the owner's
    /// chain and, as a twin with `owner_org`, into the partner's.
    PartnerJoined => "partner.joined",
        ["kind", "partner_org", "partner_name", "invitation_id", "created"];
    /// R1.7: the owner removed a partner; its units were set aside.
    PartnerRemoved => "partner.removed",
        ["kind", "partner_org", "partner_name", "units_set_aside"];
    /// R5.3: a Studio invited its client's developer (target: the client);
    /// `wording`: the version id of the legal-basis text the inviter
    /// confirmed. The address is personal data (the personal-data part).
    ReverseInvitationSent => "reverse_invitation.sent", ["wording", "invitation_id"];
    /// R5.3: a pending one to the same address re-issued (new link, 30 days).
    ReverseInvitationRefreshed => "reverse_invitation.refreshed", ["wording", "invitation_id"];
    /// R5.3: accepted; the client is now linked to `linked_org_id`, a new
    /// Free Guest organisation.
    ReverseInvitationAccepted => "reverse_invitation.accepted", ["invitation_id", "linked_org_id"];
    ReverseInvitationDeclined => "reverse_invitation.declined", ["invitation_id"];
    /// The studio withdrew a pending reverse invitation; its link says so.
    ReverseInvitationRevoked => "reverse_invitation.revoked", ["invitation_id"];
    /// R2.2 (issue 13): the project's presentation text changed; `fields`
    /// names which (`headline`, `description`, `location`,
    /// `expected_completion`), never their text.
    PresentationUpdated => "presentation.updated", ["fields"];
    /// A unit's description changed (`fields`: `description`).
    UnitPresentationUpdated => "unit_presentation.updated", ["fields", "unit_code"];
    /// R3.4: an image was uploaded (`role`: hero, gallery, floor_plan;
    /// `replaced`: it replaced the live hero or floor plan).
    MediaAdded => "media.added", ["role", "unit_code", "replaced"];
    MediaRemoved => "media.removed", ["role", "unit_code"];
    /// A gallery image moved from one place (1-based) to another.
    MediaReordered => "media.reordered", ["role", "from", "to"];
    /// R1.8: a unit was added by the owner's managers.
    UnitCreated => "unit.created", ["unit_code"];
    /// R1.8: `fields` names the facts that changed (`code`, `floor`,
    /// `bedrooms`, `area_m2`, `price`).
    UnitFactsChanged => "unit.facts_changed", ["fields", "unit_code"];
    /// R1.9: an Owner or Admin accepted `version` of the data-processing
    /// terms (the joint-controller gate).
    DataProcessingAccepted => "data_processing.accepted", ["version"];
    /// R1.9: a buyer was recorded. Name, email, phone and consent are
    /// personal data: the event's personal-data part; the notes nowhere.
    BuyerRecorded => "buyer.recorded", [];
    /// R1.9: which fields changed (`name`, `email`, `phone`, `notes`,
    /// `consent`), never their values.
    BuyerUpdated => "buyer.updated", ["fields"];
    /// R7.3: a link for one (buyer, unit) pair (`replaced`: the pair's
    /// previous link, revoked by it). A project event: never the token,
    /// nothing of the buyer.
    BuyerLinkIssued => "buyer_link.issued",
        ["unit", "unit_code", "expires_in_days", "replaced", "emailed"];
    /// R7.3: the issuer mailed a live link to its buyer.
    BuyerLinkEmailed => "buyer_link.emailed", ["unit", "unit_code"];
    /// R7.3: revoked by hand (`reason`: `manual`).
    BuyerLinkRevoked => "buyer_link.revoked", ["unit", "unit_code", "reason"];
    /// R6.2, R7.3: the owner handed the unit to another assignee (`from`,
    /// `to`: `nobody`, `agency:<org>`, `agent:<org>:<user>`); its live buyer
    /// links were revoked.
    UnitReassigned => "unit.reassigned", ["code", "from", "to", "version", "links_revoked"];
    /// R7.3: the owner marked the unit sold; its live buyer links were
    /// revoked and an active reservation converted.
    UnitSold => "unit.sold",
        ["code", "status_from", "version", "links_revoked", "reservation_converted"];
    /// R6.2, R6.3 (issue 14): a unit reserved for a buyer (`reservation`:
    /// its id; the buyer is not named).
    UnitReserved => "unit.reserved", ["code", "status_from", "status_to", "version", "reservation"];
    /// The reservation ended by hand; the unit is available again.
    UnitReleased => "unit.released", ["code", "status_from", "status_to", "version", "reservation"];
    /// R6.3: a manager ended someone else's reservation from the stock
    /// conflict modal (`reserved_by`: whose it was). The manager's reason
    /// is free text, so it is the event's personal-data part.
    ReservationOverridden => "unit.reservation_overridden",
        ["code", "status_from", "status_to", "version", "reservation", "reserved_by"];
}

/// The acting organisation, on an event in a project owner's chain that a
/// partner's member wrote (docs/decisions.md, "Whose chain a partner's
/// event goes into (issue 12)"). Any action may carry it, on an event that
/// carries a project: `NewEvent::unregistered_key` lets it through there.
pub const ACTOR_ORG: &str = "actor_org";
/// The owning organisation, on the twin of such an event in the partner's
/// own chain (no project; the target is the project). Any action may carry
/// it, on an event whose target is a project and that carries none.
pub const OWNER_ORG: &str = "owner_org";

impl Action {
    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.as_str() == s)
    }

    /// What the filter menu shows.
    pub fn label(self) -> &'static str {
        match self {
            Action::OrgCreated => "Organisation created",
            Action::MemberSecondFactorReset => "Second factor reset",
            Action::InvitationSent => "Invitation sent",
            Action::InvitationRefreshed => "Invitation refreshed",
            Action::InvitationResent => "Invitation resent",
            Action::InvitationRevoked => "Invitation revoked",
            Action::InvitationAccepted => "Invitation accepted",
            Action::InvitationDeclined => "Invitation declined",
            Action::MemberRoleChanged => "Role changed",
            Action::MemberRemoved => "Member removed",
            Action::MemberLeft => "Member left",
            Action::OwnershipTransferred => "Ownership transferred",
            Action::SignedIn => "Signed in",
            Action::AuditExported => "Audit log exported",
            Action::MemberLookedUp => "Looked up by an operator",
            Action::TokenLookupBurst => "Burst of failed invitation links",
            Action::ClientCreated => "Client added",
            Action::ClientUpdated => "Client changed",
            Action::ClientArchived => "Client archived",
            Action::ClientRestored => "Client restored",
            Action::ProjectCreated => "Project created",
            Action::ProjectUpdated => "Project settings changed",
            Action::ProjectStockModeChanged => "Stock mode changed",
            Action::BuyerLinkOpened => "Buyer link opened",
            Action::PartnerInvited => "Partner invited",
            Action::PartnerInvitationRevoked => "Partner invitation withdrawn",
            Action::PartnerInvitationDeclined => "Partner invitation declined",
            Action::PartnerJoined => "Partner joined",
            Action::PartnerRemoved => "Partner removed",
            Action::ReverseInvitationSent => "Client invited",
            Action::ReverseInvitationRefreshed => "Client invitation refreshed",
            Action::ReverseInvitationAccepted => "Client invitation accepted",
            Action::ReverseInvitationDeclined => "Client invitation declined",
            Action::ReverseInvitationRevoked => "Client invitation withdrawn",
            Action::PresentationUpdated => "Presentation changed",
            Action::UnitPresentationUpdated => "Unit description changed",
            Action::MediaAdded => "Image uploaded",
            Action::MediaRemoved => "Image removed",
            Action::MediaReordered => "Gallery reordered",
            Action::UnitCreated => "Unit added",
            Action::UnitFactsChanged => "Unit facts changed",
            Action::DataProcessingAccepted => "Data-processing terms accepted",
            Action::BuyerRecorded => "Buyer recorded",
            Action::BuyerUpdated => "Buyer changed",
            Action::BuyerLinkIssued => "Buyer link issued",
            Action::BuyerLinkEmailed => "Buyer link emailed",
            Action::BuyerLinkRevoked => "Buyer link revoked",
            Action::UnitReassigned => "Unit reassigned",
            Action::UnitSold => "Unit sold",
            Action::UnitReserved => "Unit reserved",
            Action::UnitReleased => "Reservation released",
            Action::ReservationOverridden => "Reservation overridden",
        }
    }

    /// The first metadata key not in the registry, if any.
    pub fn unregistered_key(self, metadata: &serde_json::Value) -> Option<&str> {
        let allowed = self.metadata_keys();
        match metadata.as_object() {
            Some(map) => map
                .keys()
                .map(String::as_str)
                .find(|k| !allowed.contains(k)),
            None => Some("(not an object)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_are_unique_and_parse_back() {
        for a in Action::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(*a));
            assert_eq!(
                Action::ALL
                    .iter()
                    .filter(|b| b.as_str() == a.as_str())
                    .count(),
                1
            );
        }
        assert_eq!(Action::parse("member.promoted_to_god"), None);
    }

    #[test]
    fn names_match_the_database_shape() {
        for a in Action::ALL {
            let (noun, verb) = a.as_str().split_once('.').unwrap_or_default();
            assert!(!noun.is_empty() && !verb.is_empty(), "{a:?}");
            assert!(a
                .as_str()
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.'));
        }
    }

    #[test]
    fn metadata_keys_are_checked_against_the_action() {
        let ok = json!({"from": "admin", "to": "sales_agent"});
        assert_eq!(Action::MemberRoleChanged.unregistered_key(&ok), None);
        let personal = json!({"from": "admin", "email": "x@example.com"});
        assert_eq!(
            Action::MemberRoleChanged.unregistered_key(&personal),
            Some("email")
        );
        assert_eq!(
            Action::MemberRoleChanged.unregistered_key(&json!([1])),
            Some("(not an object)")
        );
    }
}
