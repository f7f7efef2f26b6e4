//! Buyers an organisation records (SPEC R1.9, R2.2 "manage buyers, issue
//! buyer links", R8.5; issue 13).
//!
//! Who may, in this order:
//! 1. **the role** (`ManageBuyers`): Owner, Admin and Sales Manager see and
//!    change every buyer of the organisation; a Sales Agent
//!    (`Limit::OwnBuyers`) only the buyers they recorded — a colleague's
//!    buyer asked for by id is `Forbidden` (403), and the list holds only
//!    their own; a Content Editor nothing (403);
//! 2. **the joint-controller gate** ([`terms`]): until the current version
//!    of the data-processing terms is accepted, every call is refused with
//!    `Refusal::TermsNotAccepted` (a 403 that says why);
//! 3. another organisation's buyer is `NotFound` (R2.5).
//!
//! Name, email, phone and notes are personal data: in audit events the
//! name, email and phone go to the personal-data part (outside the hash,
//! R8.5), the notes nowhere; metadata says which fields changed, never
//! what they hold. Buyer links are in [`links`].

pub mod links;
pub mod terms;

use super::{
    audit::{self, Action, NewEvent, Pii},
    RepoError, Scope,
};
use crate::{
    domain::{buyer::field, BuyerFields, BuyerId, UserId},
    policy::{Grant, Limit, Permission},
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Buyer {
    pub id: BuyerId,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub notes: Option<String>,
    pub consent_to_contact: bool,
    /// When the consent now recorded was given (none without consent).
    pub consent_recorded_at: Option<OffsetDateTime>,
    /// The agent who recorded the buyer ("own buyers", R2.2).
    pub recorded_by: UserId,
    pub recorded_by_name: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// Links that work now (not revoked, not expired).
    pub live_links: i64,
}

/// Whose buyers the scope may touch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reach {
    Everyone,
    Own(UserId),
}

/// The role, then the gate (see the module comment); answers how far the
/// scope reaches.
pub(crate) async fn access(scope: &mut Scope) -> Result<Reach, RepoError> {
    let grant = scope.authorize(Permission::ManageBuyers)?;
    terms::require(scope, terms::CURRENT_VERSION).await?;
    Ok(match grant {
        Grant::Limited(Limit::OwnBuyers) => Reach::Own(scope.membership().user_id()),
        _ => Reach::Everyone,
    })
}

/// `NotFound` for another organisation's (or no) buyer, `Forbidden` for a
/// colleague's under [`Reach::Own`]. Locks the buyer's row for the rest
/// of the transaction, so changes to one buyer (an edit, a link issued for
/// it) queue rather than interleave.
pub(crate) async fn check_buyer(
    scope: &mut Scope,
    reach: Reach,
    id: BuyerId,
) -> Result<(), RepoError> {
    let org = scope.membership().org_id().as_uuid();
    let recorded_by = sqlx::query_scalar!(
        "select created_by_user_id from buyers where org_id = $1 and id = $2 for update",
        org,
        id.as_uuid()
    )
    .fetch_optional(scope.conn())
    .await?
    .ok_or(RepoError::NotFound)?;
    match reach {
        Reach::Own(me) if me.as_uuid() != recorded_by => {
            Err(scope.refuse(Permission::ManageBuyers))
        }
        _ => Ok(()),
    }
}

/// The buyers the scope may see, by name: the organisation's, or (a Sales
/// Agent) the ones they recorded.
#[tracing::instrument(skip_all)]
pub async fn list(scope: &mut Scope) -> Result<Vec<Buyer>, RepoError> {
    let reach = access(scope).await?;
    select(scope, reach, None).await
}

/// One buyer (see the module comment for 403 and 404).
#[tracing::instrument(skip(scope))]
pub async fn get(scope: &mut Scope, id: BuyerId) -> Result<Buyer, RepoError> {
    let reach = access(scope).await?;
    check_buyer(scope, reach, id).await?;
    select(scope, Reach::Everyone, Some(id))
        .await?
        .pop()
        .ok_or(RepoError::NotFound)
}

async fn select(
    scope: &mut Scope,
    reach: Reach,
    only: Option<BuyerId>,
) -> Result<Vec<Buyer>, RepoError> {
    let org = scope.membership().org_id().as_uuid();
    let own = match reach {
        Reach::Own(me) => Some(me.as_uuid()),
        Reach::Everyone => None,
    };
    let rows = sqlx::query!(
        r#"
        select b.id, b.name, b.email as "email: String", b.phone, b.notes, b.consent_to_contact,
               b.consent_recorded_at, b.created_by_user_id, u.display_name as recorded_by_name,
               b.created_at, b.updated_at,
               (select count(*) from buyer_links l
                where l.org_id = b.org_id and l.buyer_id = b.id
                  and l.revoked_at is null and l.expires_at > now()) as "live_links!"
        from buyers b
        join users u on u.id = b.created_by_user_id
        where b.org_id = $1
          and ($2::uuid is null or b.created_by_user_id = $2)
          and ($3::uuid is null or b.id = $3)
        order by b.name, b.id
        "#,
        org,
        own,
        only.map(|b| b.as_uuid()),
    )
    .fetch_all(scope.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Buyer {
            id: BuyerId::from_db(r.id),
            name: r.name,
            email: r.email,
            phone: r.phone,
            notes: r.notes,
            consent_to_contact: r.consent_to_contact,
            consent_recorded_at: r.consent_recorded_at,
            recorded_by: UserId::from_db(r.created_by_user_id),
            recorded_by_name: r.recorded_by_name,
            created_at: r.created_at,
            updated_at: r.updated_at,
            live_links: r.live_links,
        })
        .collect())
}

/// Records a buyer, recorded by the scope's person; one `buyer.recorded`
/// event (name, email and phone in its personal-data part).
#[tracing::instrument(skip_all)]
pub async fn record(scope: &mut Scope, fields: &BuyerFields) -> Result<Buyer, RepoError> {
    access(scope).await?;
    let org = scope.membership().org_id().as_uuid();
    let actor = scope.membership().user_id();
    let id = sqlx::query_scalar!(
        r#"
        insert into buyers (org_id, created_by_user_id, name, email, phone, notes,
                            consent_to_contact, consent_recorded_at)
        values ($1, $2, $3, $4, $5, $6, $7, case when $7 then now() end)
        returning id
        "#,
        org,
        actor.as_uuid(),
        fields.name(),
        fields.email(),
        fields.phone(),
        fields.notes(),
        fields.consent(),
    )
    .fetch_one(scope.conn())
    .await?;
    let id = BuyerId::from_db(id);
    audit::append(
        scope,
        &NewEvent::new(Some(actor), Action::BuyerRecorded)
            .target("buyer", id)
            .pii(Pii {
                ip: None,
                data: serde_json::json!({
                    "name": fields.name(),
                    "email": fields.email(),
                    "phone": fields.phone(),
                    "consent_to_contact": fields.consent(),
                }),
            }),
    )
    .await?;
    get(scope, id).await
}

/// Replaces the buyer's fields. Consent given now records its time;
/// withdrawn, clears it; unchanged, keeps the time it was given. Answers
/// whether anything changed; an unchanged form writes nothing.
#[tracing::instrument(skip(scope, fields))]
pub async fn update(
    scope: &mut Scope,
    id: BuyerId,
    fields: &BuyerFields,
) -> Result<bool, RepoError> {
    let reach = access(scope).await?;
    check_buyer(scope, reach, id).await?;
    let org = scope.membership().org_id().as_uuid();
    let old = sqlx::query!(
        r#"select name, email as "email: String", phone, notes, consent_to_contact
           from buyers where org_id = $1 and id = $2"#,
        org,
        id.as_uuid()
    )
    .fetch_one(scope.conn())
    .await?;
    let mut changed = Vec::new();
    if old.name != fields.name() {
        changed.push(field::NAME);
    }
    // Byte for byte: a change of case is a change people asked for.
    if old.email.as_deref() != fields.email() {
        changed.push(field::EMAIL);
    }
    if old.phone.as_deref() != fields.phone() {
        changed.push(field::PHONE);
    }
    if old.notes.as_deref() != fields.notes() {
        changed.push(field::NOTES);
    }
    if old.consent_to_contact != fields.consent() {
        changed.push(field::CONSENT);
    }
    if changed.is_empty() {
        return Ok(false);
    }
    sqlx::query!(
        r#"
        update buyers
        set name = $3, email = $4, phone = $5, notes = $6, consent_to_contact = $7,
            consent_recorded_at = case when not $7 then null
                                       when consent_to_contact then consent_recorded_at
                                       else now() end
        where org_id = $1 and id = $2
        "#,
        org,
        id.as_uuid(),
        fields.name(),
        fields.email(),
        fields.phone(),
        fields.notes(),
        fields.consent(),
    )
    .execute(scope.conn())
    .await?;
    // The personal-data part: the name the record now has, and the new
    // contact details and consent when they changed (never the notes).
    let mut data = serde_json::json!({ "name": fields.name() });
    if changed.contains(&field::EMAIL) {
        data["email"] = serde_json::json!(fields.email());
    }
    if changed.contains(&field::PHONE) {
        data["phone"] = serde_json::json!(fields.phone());
    }
    if changed.contains(&field::CONSENT) {
        data["consent_to_contact"] = serde_json::json!(fields.consent());
    }
    let actor = scope.membership().user_id();
    audit::append(
        scope,
        &NewEvent::new(Some(actor), Action::BuyerUpdated)
            .target("buyer", id)
            .metadata(serde_json::json!({ "fields": changed }))
            .pii(Pii { ip: None, data }),
    )
    .await?;
    Ok(true)
}
