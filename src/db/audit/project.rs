//! Events on a project, whoever writes them (SPEC R8.1, R8.4; issue 12;
//! docs/decisions.md, "Whose chain a partner's event goes into (issue
//! 12)"): the event goes into the chain of the project's **owner**, the
//! data's controller, with the project set, so the project's activity log
//! (read from the owner's chain) shows it. When a member of a partner
//! organisation wrote it, the owner's event names the acting organisation
//! ([`ACTOR_ORG`]) and a twin goes into the **partner's** own chain — no
//! project (the project is not the partner's), target `project` and its id,
//! [`OWNER_ORG`] naming the owner — so the partner can account for what its
//! members did in its own organisation audit log.

use super::{append_to, lock_order, tenant, NewEvent, ACTOR_ORG, OWNER_ORG};
use crate::{
    db::{RepoError, Scope},
    domain::{OrgId, ProjectId},
};

/// `base`'s metadata with one more key.
fn with_key(base: &serde_json::Value, key: &str, value: String) -> serde_json::Value {
    let mut metadata = base.clone();
    if let Some(map) = metadata.as_object_mut() {
        map.insert(key.to_owned(), value.into());
    }
    metadata
}

/// Appends `event`, about `project` of the organisation `owner`, where it
/// belongs, in the scope's transaction; answers its `seq` in the owner's
/// chain.
///
/// - The scope's organisation is the owner: one event in its chain, with
///   the project (as [`super::append`] with `.project(project)`).
/// - It is an active partner of the project: the event in the owner's chain
///   (project set, `actor_org` = the scope's organisation) and its twin in
///   the scope's organisation's chain (`owner_org` = the owner). The two
///   chains are locked in `org_id` order, as every multi-chain writer does,
///   and the transaction's tenant is the scope's again afterwards.
/// - Anything else (not a partner, or no longer one): `NotFound`, and
///   nothing is written.
///
/// The event's metadata keys must be registered for its action as usual;
/// `actor_org` and `owner_org` are added here and allowed on any action.
#[tracing::instrument(skip(scope, event), fields(action = event.action.as_str()))]
pub async fn append_project_event(
    scope: &mut Scope,
    owner: OrgId,
    project: ProjectId,
    event: NewEvent,
) -> Result<i64, RepoError> {
    let event = event.project(project);
    let actor_org = scope.membership().org_id();
    if actor_org == owner {
        return Ok(super::append(scope, &event).await?);
    }
    let partner = sqlx::query_scalar!(
        r#"
        select exists (select 1 from project_partners
                       where org_id = $1 and project_id = $2 and partner_org_id = $3
                         and status = 'active') as "partner!"
        "#,
        owner.as_uuid(),
        project.as_uuid(),
        actor_org.as_uuid(),
    )
    .fetch_one(scope.conn())
    .await?;
    if !partner {
        return Err(RepoError::NotFound);
    }
    let user = scope.membership().user_id();
    let seq = append_to_both(scope.conn(), owner, actor_org, actor_org, user, &event).await?;
    tenant::set_tenant(scope.conn(), Some(actor_org), Some(user)).await?;
    Ok(seq)
}

/// Writes `event` (which carries `project`) into the owner's chain and its
/// twin into `partner`'s, in the caller's transaction; `acting` is the
/// organisation of the person who did it (named as `actor_org` in the
/// owner's event when it is not the owner). For the partner's own
/// events ([`append_project_event`]) and for those about a partnership
/// itself — admitted, removed — which both organisations must be able to
/// account for; and for a buyer opening a partner's link (no person:
/// `user` is `None`). Leaves the transaction's tenant at whichever chain came
/// last; the caller sets it back. Answers the `seq` in the owner's chain.
pub(crate) async fn append_to_both(
    conn: &mut sqlx::PgConnection,
    owner: OrgId,
    partner: OrgId,
    acting: OrgId,
    user: impl Into<Option<crate::domain::UserId>>,
    event: &NewEvent,
) -> Result<i64, sqlx::Error> {
    let user = user.into();
    let base = event.metadata.clone();
    let owners = NewEvent {
        metadata: if acting == owner {
            base.clone()
        } else {
            with_key(&base, ACTOR_ORG, acting.to_string())
        },
        ..event.clone()
    };
    let twin = NewEvent {
        actor: owners.actor,
        project: None,
        action: owners.action,
        target_type: Some("project"),
        target_id: event.project.map(|p| p.to_string()),
        metadata: with_key(&base, OWNER_ORG, owner.to_string()),
        pii: owners.pii.clone(),
    };
    let mut seq = 0;
    for org in lock_order(&[owner, partner]) {
        tenant::set_tenant(conn, Some(org), user).await?;
        if org == owner {
            seq = append_to(conn, org, &owners).await?;
        } else {
            append_to(conn, org, &twin).await?;
        }
    }
    Ok(seq)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::audit::Action;

    #[test]
    fn the_cross_organisation_keys_are_allowed_only_where_they_belong() {
        let project = ProjectId::from_db(uuid::Uuid::nil());
        let base = serde_json::json!({});
        let owners = NewEvent::new(None, Action::ProjectUpdated)
            .project(project)
            .metadata(with_key(&base, ACTOR_ORG, "x".into()));
        assert_eq!(owners.unregistered_key(), None);
        // Without a project, `actor_org` is not allowed.
        let stray = NewEvent::new(None, Action::ProjectUpdated).metadata(with_key(
            &base,
            ACTOR_ORG,
            "x".into(),
        ));
        assert_eq!(stray.unregistered_key(), Some(ACTOR_ORG));
        let twin = NewEvent::new(None, Action::ProjectUpdated)
            .target("project", project)
            .metadata(with_key(&base, OWNER_ORG, "y".into()));
        assert_eq!(twin.unregistered_key(), None);
        // With a project, or about a user, `owner_org` is not allowed.
        let wrong = NewEvent::new(None, Action::ProjectUpdated)
            .project(project)
            .target("project", project)
            .metadata(with_key(&base, OWNER_ORG, "y".into()));
        assert_eq!(wrong.unregistered_key(), Some(OWNER_ORG));
        let user = NewEvent::new(None, Action::MemberRemoved)
            .target("user", project)
            .metadata(with_key(&base, OWNER_ORG, "y".into()));
        assert_eq!(user.unregistered_key(), Some(OWNER_ORG));
    }
}
