//! Changing client records (R1.5): adding, editing, archiving and
//! restoring. Owner and Admin of a Studio only (see the module above).
//! Each change locks the row it changes and writes its one audit event in
//! the same transaction (R8.1); a change that changes nothing writes none.
//!
//! The contact's name and email and the company name are personal data
//! (R8.5) and go to the event's personal-data part, outside the hash; the
//! notes are free text and go nowhere. Metadata says which fields changed,
//! never what they hold.

use super::{get, require_studio, Client};
use crate::{
    db::{
        audit::{self, Action, NewEvent, Pii},
        RepoError, Scope,
    },
    domain::{client::field, ClientFields, ClientId},
    policy::Permission,
};

/// Owner or Admin (`ManageProjects`) of a Studio.
async fn may_change(scope: &mut Scope) -> Result<(), RepoError> {
    scope.authorize(Permission::ManageProjects)?;
    require_studio(scope).await
}

/// The values as stored, for the columns a form writes.
struct Stored<'a> {
    name: &'a str,
    contact_name: Option<&'a str>,
    contact_email: Option<&'a str>,
    notes: Option<&'a str>,
}

impl<'a> Stored<'a> {
    fn of(f: &'a ClientFields) -> Self {
        Stored {
            name: f.name.as_str(),
            contact_name: f.contact_name.as_ref().map(|c| c.as_str()),
            contact_email: f.contact_email.as_ref().map(|e| e.as_str()),
            notes: f.notes.as_ref().map(|n| n.as_str()),
        }
    }
}

/// Adds a client to the Studio.
#[tracing::instrument(skip_all)]
pub async fn create(scope: &mut Scope, fields: &ClientFields) -> Result<Client, RepoError> {
    may_change(scope).await?;
    let org = scope.membership().org_id().as_uuid();
    let new = Stored::of(fields);
    let id = sqlx::query_scalar!(
        r#"
        insert into clients (org_id, name, contact_name, contact_email, notes)
        values ($1, $2, $3, $4, $5)
        returning id
        "#,
        org,
        new.name,
        new.contact_name,
        new.contact_email,
        new.notes,
    )
    .fetch_one(scope.conn())
    .await?;
    let id = ClientId::from_db(id);
    let actor = scope.membership().user_id();
    audit::append(
        scope,
        &NewEvent::new(Some(actor), Action::ClientCreated)
            .target("client", id)
            .pii(Pii {
                ip: None,
                data: serde_json::json!({
                    "name": new.name,
                    "contact_name": new.contact_name,
                    "contact_email": new.contact_email,
                }),
            }),
    )
    .await?;
    get(scope, id).await
}

/// Replaces the client's fields with `fields`. Answers whether anything
/// changed; an unchanged form writes nothing.
#[tracing::instrument(skip(scope, fields))]
pub async fn update(
    scope: &mut Scope,
    id: ClientId,
    fields: &ClientFields,
) -> Result<bool, RepoError> {
    may_change(scope).await?;
    let org = scope.membership().org_id().as_uuid();
    let old = sqlx::query!(
        r#"select name, contact_name, contact_email as "contact_email: String", notes
           from clients where org_id = $1 and id = $2 for update"#,
        org,
        id.as_uuid()
    )
    .fetch_optional(scope.conn())
    .await?
    .ok_or(RepoError::NotFound)?;
    let new = Stored::of(fields);
    let mut changed = Vec::new();
    if old.name != new.name {
        changed.push(field::NAME);
    }
    if old.contact_name.as_deref() != new.contact_name {
        changed.push(field::CONTACT_NAME);
    }
    // Byte for byte: a change of case is a change people asked for, though
    // the column compares addresses case-insensitively.
    if old.contact_email.as_deref() != new.contact_email {
        changed.push(field::CONTACT_EMAIL);
    }
    if old.notes.as_deref() != new.notes {
        changed.push(field::NOTES);
    }
    if changed.is_empty() {
        return Ok(false);
    }
    sqlx::query!(
        r#"
        update clients set name = $3, contact_name = $4, contact_email = $5, notes = $6
        where org_id = $1 and id = $2
        "#,
        org,
        id.as_uuid(),
        new.name,
        new.contact_name,
        new.contact_email,
        new.notes,
    )
    .execute(scope.conn())
    .await?;
    // The personal-data part: the name the record now has, and the new
    // contact details when they changed (never the notes).
    let mut data = serde_json::json!({ "name": new.name });
    if changed.contains(&field::CONTACT_NAME) {
        data["contact_name"] = serde_json::json!(new.contact_name);
    }
    if changed.contains(&field::CONTACT_EMAIL) {
        data["contact_email"] = serde_json::json!(new.contact_email);
    }
    let actor = scope.membership().user_id();
    audit::append(
        scope,
        &NewEvent::new(Some(actor), Action::ClientUpdated)
            .target("client", id)
            .metadata(serde_json::json!({ "fields": changed }))
            .pii(Pii { ip: None, data }),
    )
    .await?;
    Ok(true)
}

/// Archives the client: it leaves the list and the project form, and its
/// projects keep it. Answers whether it was active.
#[tracing::instrument(skip(scope))]
pub async fn archive(scope: &mut Scope, id: ClientId) -> Result<bool, RepoError> {
    set_archived(scope, id, true).await
}

/// Brings an archived client back. Answers whether it was archived.
#[tracing::instrument(skip(scope))]
pub async fn restore(scope: &mut Scope, id: ClientId) -> Result<bool, RepoError> {
    set_archived(scope, id, false).await
}

async fn set_archived(scope: &mut Scope, id: ClientId, archive: bool) -> Result<bool, RepoError> {
    may_change(scope).await?;
    let org = scope.membership().org_id().as_uuid();
    let row = sqlx::query!(
        "select name, archived_at from clients where org_id = $1 and id = $2 for update",
        org,
        id.as_uuid()
    )
    .fetch_optional(scope.conn())
    .await?
    .ok_or(RepoError::NotFound)?;
    if row.archived_at.is_some() == archive {
        return Ok(false);
    }
    let actor = scope.membership().user_id();
    sqlx::query!(
        r#"
        update clients
        set archived_at = case when $3 then now() end,
            archived_by_user_id = case when $3 then $4::uuid end
        where org_id = $1 and id = $2
        "#,
        org,
        id.as_uuid(),
        archive,
        actor.as_uuid(),
    )
    .execute(scope.conn())
    .await?;
    let action = if archive {
        Action::ClientArchived
    } else {
        Action::ClientRestored
    };
    audit::append(
        scope,
        &NewEvent::new(Some(actor), action)
            .target("client", id)
            .pii(Pii {
                ip: None,
                data: serde_json::json!({ "name": row.name }),
            }),
    )
    .await?;
    Ok(true)
}
