//! Operator commands about people (SPEC R8.6, R3.6, R4.6): look a person up
//! by email, reset a lost second factor after an identity check, and hand a
//! departed Owner's organisation to an Admin. All run as the owner role from
//! the server CLI, and all are recorded: each as a security event of the
//! person and in the audit chain of each organisation concerned (a lookup
//! and a reset in every organisation the person is an active member of).

use crate::db::{admin::AdminDb, audit, security_events, DbError, RequestMeta, SecurityEvent};
use crate::domain::{OrgId, UserId};
use time::OffsetDateTime;

#[derive(Clone, Debug)]
pub struct PersonReport {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub created_at: OffsetDateTime,
    pub disabled: bool,
    pub has_password: bool,
    pub has_google: bool,
    pub has_totp: bool,
    /// (organisation, subdomain, role, status)
    pub memberships: Vec<(String, String, String, String)>,
    /// (created, last seen, ip, user agent)
    pub sessions: Vec<(
        OffsetDateTime,
        OffsetDateTime,
        Option<String>,
        Option<String>,
    )>,
    /// (when, kind, ip)
    pub events: Vec<(OffsetDateTime, String, Option<String>)>,
    /// How many organisations' audit logs recorded this lookup (R8.6).
    pub audited_in: usize,
}

/// R8.6: everything about a person's access, by email; the lookup itself
/// is recorded against the person (a security event) and in the audit log
/// of each organisation they are an active member of, naming the operator
/// and the reason.
pub async fn lookup(
    db: &AdminDb,
    email: &str,
    operator: &str,
    reason: &str,
) -> Result<Option<PersonReport>, DbError> {
    let mut tx = db.pool.begin().await?;
    let Some(u) = sqlx::query!(
        r#"select id, email::text as "email!", display_name, created_at, disabled_at is not null as "disabled!",
                  password_hash is not null as "has_password!", google_subject is not null as "has_google!",
                  totp_secret is not null as "has_totp!"
           from users where email = $1"#,
        email
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(None);
    };
    let memberships = sqlx::query!(
        r#"select o.name, o.subdomain, m.role::text as "role!", m.status::text as "status!"
           from memberships m join organisations o on o.id = m.org_id
           where m.user_id = $1 order by o.name"#,
        u.id
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| (r.name, r.subdomain, r.role, r.status))
    .collect();
    let sessions = sqlx::query!(
        r#"select s.created_at, s.last_seen_at, host(s.ip) as ip, s.user_agent
           from user_sessions s join users u on u.id = s.user_id
           where s.user_id = $1 and s.revoked_at is null and s.auth_epoch = u.auth_epoch
           order by s.last_seen_at desc"#,
        u.id
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| (r.created_at, r.last_seen_at, r.ip, r.user_agent))
    .collect();
    let events = sqlx::query!(
        r#"select occurred_at, kind, host(ip) as ip from security_events
           where user_id = $1 order by occurred_at desc limit 20"#,
        u.id
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| (r.occurred_at, r.kind, r.ip))
    .collect();
    let id = UserId::from_db(u.id);
    let metadata = serde_json::json!({ "operator": operator, "reason": reason });
    security_events::record(
        &mut tx,
        Some(id),
        SecurityEvent::OperatorLookup,
        &RequestMeta::default(),
        metadata.clone(),
    )
    .await?;
    // R8.6: each organisation the person belongs to sees that an operator
    // looked at them, in this transaction (chains locked in org_id order).
    let audited_in = audit::append_in_each_org_of(
        &mut tx,
        id,
        &audit::NewEvent::new(None, audit::Action::MemberLookedUp)
            .target("user", id)
            .metadata(metadata.clone()),
    )
    .await?
    .len();
    tx.commit().await?;
    Ok(Some(PersonReport {
        id,
        email: u.email,
        display_name: u.display_name,
        created_at: u.created_at,
        disabled: u.disabled,
        has_password: u.has_password,
        has_google: u.has_google,
        has_totp: u.has_totp,
        memberships,
        sessions,
        events,
        audited_in,
    }))
}

/// R3.6: an operator-assisted reset of a lost second factor. Turns TOTP
/// off, drops the recovery codes, ends every session, and records the
/// completed identity-verification checklist as an audit event in each of
/// the person's organisations (and as a security event). `false`: no such
/// person.
pub async fn reset_totp(
    db: &AdminDb,
    email: &str,
    operator: &str,
    checklist: &[String],
) -> Result<bool, DbError> {
    let mut tx = db.pool.begin().await?;
    let Some(user) = sqlx::query_scalar!("select id from users where email = $1", email)
        .fetch_optional(&mut *tx)
        .await?
    else {
        return Ok(false);
    };
    sqlx::query!(
        "update users set totp_secret = null, totp_last_step = null, totp_reenrol_required = false,
                auth_epoch = auth_epoch + 1 where id = $1",
        user
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!("delete from user_recovery_codes where user_id = $1", user)
        .execute(&mut *tx)
        .await?;
    sqlx::query!(
        "update user_sessions set revoked_at = now() where user_id = $1 and revoked_at is null",
        user
    )
    .execute(&mut *tx)
    .await?;
    let user = UserId::from_db(user);
    let metadata = serde_json::json!({ "operator": operator, "checklist": checklist });
    audit::append_in_each_org_of(
        &mut tx,
        user,
        &audit::NewEvent::new(None, audit::Action::MemberSecondFactorReset)
            .target("user", user)
            .metadata(metadata.clone()),
    )
    .await?;
    security_events::record(
        &mut tx,
        Some(user),
        SecurityEvent::OperatorTotpReset,
        &RequestMeta::default(),
        metadata,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// What an operator-assisted ownership transfer did (R4.6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AssistedTransfer {
    Done {
        previous_owner: String,
    },
    NoSuchOrganisation,
    /// The address is not an active member of the organisation.
    NotAMember,
    /// The target gate refused, with why.
    Refused(crate::error::TransferGate),
}

/// R4.6: for a departed Owner, an operator moves ownership to an active
/// Admin who passes the target gate, after the identity-verification
/// checklist (checked by the CLI); the old Owner becomes an Admin. One
/// transaction, recorded in the organisation's audit chain with the
/// operator and the checklist.
pub async fn transfer_ownership(
    db: &AdminDb,
    subdomain: &str,
    to_email: &str,
    operator: &str,
    checklist: &[String],
) -> Result<AssistedTransfer, DbError> {
    let mut tx = db.pool.begin().await?;
    let Some(org) = sqlx::query!(
        r#"select o.id, o.owner_user_id, o.require_second_factor, u.email as "owner_email!"
           from organisations o join users u on u.id = o.owner_user_id
           where o.subdomain = $1 for update of o"#,
        subdomain
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(AssistedTransfer::NoSuchOrganisation);
    };
    let Some(target) = sqlx::query!(
        r#"select u.id, u.email_verified, (u.totp_secret is not null) as "has_2fa!",
                  m.role as "role: crate::policy::Role"
           from memberships m join users u on u.id = m.user_id
           where m.org_id = $1 and u.email = $2 and m.status = 'active'
           for update of m"#,
        org.id,
        to_email
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(AssistedTransfer::NotAMember);
    };
    if let Err(why) = crate::db::team::gate(
        target.role,
        target.email_verified,
        target.has_2fa,
        org.require_second_factor,
    ) {
        return Ok(AssistedTransfer::Refused(why));
    }
    // Demote first: at most one active Owner is an immediate unique index;
    // the organisation's owner pointer is checked at commit (R2.3).
    sqlx::query!(
        "update memberships set role = 'admin' where org_id = $1 and user_id = $2",
        org.id,
        org.owner_user_id
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "update memberships set role = 'owner' where org_id = $1 and user_id = $2",
        org.id,
        target.id
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "update organisations set owner_user_id = $2 where id = $1",
        org.id,
        target.id
    )
    .execute(&mut *tx)
    .await?;
    audit::append_to(
        &mut tx,
        OrgId::from_db(org.id),
        &audit::NewEvent::new(None, audit::Action::OwnershipTransferred)
            .target("user", UserId::from_db(target.id))
            .metadata(serde_json::json!({
                "previous_owner": org.owner_user_id.to_string(),
                "operator": operator,
                "checklist": checklist,
            })),
    )
    .await?;
    tx.commit().await?;
    Ok(AssistedTransfer::Done {
        previous_owner: org.owner_email,
    })
}
