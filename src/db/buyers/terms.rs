//! The joint-controller gate (SPEC R1.9, v4.18 §2.4.C): before an
//! organisation records buyers, its Owner or an Admin accepts the current
//! version of the data-processing terms (`crate::domain::terms`). The
//! acceptance — who, when, which version — is a row of
//! `data_processing_acceptances` and an audit event. Until the current
//! version is accepted, every buyer and buyer-link operation is refused
//! with [`Refusal::TermsNotAccepted`] (a 403 that says why), even when an
//! older version was accepted: a new version asks again.
//!
//! The version is a parameter of each function here, so a test can ask
//! about a version that does not ship yet; the buyer features pass
//! [`CURRENT_VERSION`].

pub use crate::domain::terms::{CURRENT_TEXT, CURRENT_VERSION};
use crate::{
    db::{
        audit::{self, Action, NewEvent},
        RepoError, Scope,
    },
    domain::UserId,
    error::Refusal,
    policy::Permission,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// One acceptance of one version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acceptance {
    pub version: String,
    pub by: UserId,
    /// The accepter's display name now.
    pub by_name: String,
    pub at: OffsetDateTime,
}

/// Where the organisation stands with `version` of the terms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermsStatus {
    pub version: String,
    /// `version` was accepted: buyer features are on.
    pub accepted: Option<Acceptance>,
    /// The newest acceptance of another version, if any (shown as "your
    /// organisation accepted an earlier version on …").
    pub earlier: Option<Acceptance>,
    /// Whether the scope's person may accept (Owner or Admin).
    pub may_accept: bool,
}

impl TermsStatus {
    pub fn is_open(&self) -> bool {
        self.accepted.is_some()
    }
}

/// The organisation's standing with `version`. Any active member may read
/// it: the buyer pages explain the closed gate to everyone.
#[tracing::instrument(skip(scope))]
pub async fn status(scope: &mut Scope, version: &str) -> Result<TermsStatus, RepoError> {
    let org = scope.membership().org_id().as_uuid();
    let rows = sqlx::query!(
        r#"
        select a.terms_version, a.accepted_by_user_id, u.display_name, a.accepted_at
        from data_processing_acceptances a
        join users u on u.id = a.accepted_by_user_id
        where a.org_id = $1
        order by a.accepted_at desc
        "#,
        org
    )
    .fetch_all(scope.conn())
    .await?;
    let mut accepted = None;
    let mut earlier = None;
    for r in rows {
        let a = Acceptance {
            by: UserId::from_db(r.accepted_by_user_id),
            by_name: r.display_name,
            at: r.accepted_at,
            version: r.terms_version,
        };
        if a.version == version {
            accepted.get_or_insert(a);
        } else {
            earlier.get_or_insert(a);
        }
    }
    Ok(TermsStatus {
        version: version.to_owned(),
        accepted,
        earlier,
        may_accept: scope.membership().role().can(Permission::ManageOrgSettings),
    })
}

/// R1.9: accepts `version` for the organisation. Owner or Admin only
/// (`Forbidden` otherwise). Idempotent: accepting a version already
/// accepted changes nothing and writes no event; answers whether this call
/// accepted it. The acceptance and its `data_processing.accepted` event
/// (with the version) are in the scope's transaction.
#[tracing::instrument(skip(scope))]
pub async fn accept(scope: &mut Scope, version: &str) -> Result<bool, RepoError> {
    scope.authorize(Permission::ManageOrgSettings)?;
    let org = scope.membership().org_id().as_uuid();
    let actor = scope.membership().user_id();
    let inserted = sqlx::query!(
        r#"
        insert into data_processing_acceptances (org_id, terms_version, accepted_by_user_id)
        values ($1, $2, $3)
        on conflict (org_id, terms_version) do nothing
        "#,
        org,
        version,
        actor.as_uuid(),
    )
    .execute(scope.conn())
    .await?
    .rows_affected()
        == 1;
    if inserted {
        audit::append(
            scope,
            &NewEvent::new(Some(actor), Action::DataProcessingAccepted)
                .metadata(serde_json::json!({ "version": version })),
        )
        .await?;
    }
    Ok(inserted)
}

/// The gate: `Ok` when the organisation has accepted `version`, else the
/// 403 that says so ([`Refusal::TermsNotAccepted`]).
pub async fn require(scope: &mut Scope, version: &str) -> Result<(), RepoError> {
    let org = scope.membership().org_id().as_uuid();
    let accepted = sqlx::query_scalar!(
        r#"select exists (select 1 from data_processing_acceptances
                          where org_id = $1 and terms_version = $2) as "accepted!""#,
        org,
        version
    )
    .fetch_one(scope.conn())
    .await?;
    if accepted {
        Ok(())
    } else {
        Err(Refusal::TermsNotAccepted {
            version: version.to_owned(),
        }
        .into())
    }
}
