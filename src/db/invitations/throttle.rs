//! How many invitations may be mailed, and how soon again (SPEC R5.5):
//! per organisation and per member per hour, and not twice to one address
//! within [`RESEND_COOLDOWN_MINUTES`]. Counted from the audit log and the
//! invitations themselves, under one advisory lock per organisation, so the
//! counts are exact however many admins click at once.

use super::InviteError;
use crate::{
    db::audit::Action,
    domain::{OrgId, UserId},
};
use sqlx::PgConnection;

/// R5.5 (issue 10): invitation mail one organisation may send in any hour.
pub const ORG_MAILS_PER_HOUR: i64 = 200;
/// Invitation mail one member may send in any hour, in one organisation.
pub const ACTOR_MAILS_PER_HOUR: i64 = 100;
/// How long after an address was mailed it may be mailed again (a
/// refreshed re-invite or a resend).
pub const RESEND_COOLDOWN_MINUTES: i32 = 10;

/// The audit actions that each stand for one invitation mail. Counting
/// them (rather than request counters) counts exactly what was mailed, in
/// the transaction that mails, under [`lock_mailing`].
const MAIL_ACTIONS: [Action; 3] = [
    Action::InvitationSent,
    Action::InvitationRefreshed,
    Action::InvitationResent,
];

/// Whose hourly allowance ran out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quota {
    Organisation,
    Actor,
}

/// An invitation mail refused for its rate (R5.5), with when it may go.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Throttled {
    #[error("{}", hourly_message(*who, *limit, *remaining, *retry_after_secs))]
    Hourly {
        who: Quota,
        limit: i64,
        /// Mails still allowed now (fewer than were asked for).
        remaining: i64,
        retry_after_secs: u32,
    },
    #[error("{}", recent_message(emails, *retry_after_secs))]
    RecentlySent {
        emails: Vec<String>,
        retry_after_secs: u32,
    },
}

impl Throttled {
    pub fn retry_after_secs(&self) -> u32 {
        match self {
            Throttled::Hourly {
                retry_after_secs, ..
            }
            | Throttled::RecentlySent {
                retry_after_secs, ..
            } => *retry_after_secs,
        }
    }
}

/// "about 7 minutes", rounded up, never "0".
fn minutes(secs: u32) -> String {
    match secs.div_ceil(60).max(1) {
        1 => "about a minute".to_owned(),
        n => format!("about {n} minutes"),
    }
}

fn hourly_message(who: Quota, limit: i64, remaining: i64, secs: u32) -> String {
    let whose = match who {
        Quota::Organisation => {
            format!("This organisation has reached its limit of {limit} invitations an hour.")
        }
        Quota::Actor => {
            format!(
                "You've reached the limit of {limit} invitations one person may send in an hour."
            )
        }
    };
    let when = minutes(secs);
    let next = if remaining > 0 {
        format!("You can send {remaining} more now, or more in {when}.")
    } else {
        format!("You can send more in {when}.")
    };
    format!("{whose} {next} Nothing was sent.")
}

fn recent_message(emails: &[String], secs: u32) -> String {
    let (who, it) = match emails {
        [one] => (format!("{one} was"), "it"),
        many => (format!("{} were", many.join(", ")), "them"),
    };
    format!(
        "{who} sent an invitation less than {RESEND_COOLDOWN_MINUTES} minutes ago. \
         Remove {it} from the list, or send again in {}. Nothing was sent.",
        minutes(secs)
    )
}

/// Serialises the invitation mailings of one organisation for the rest of
/// the transaction, so the counts of [`check_hourly`] and
/// [`check_recently_sent`] are exact however many admins click at once.
/// An advisory lock taken first and only here: it orders mailings among
/// themselves without adding a cycle to the row-then-chain-head order that
/// accepting and revoking follow.
pub(super) async fn lock_mailing(conn: &mut PgConnection, org: OrgId) -> Result<(), sqlx::Error> {
    sqlx::query_scalar!(
        r#"select true as "locked!"
           from (select pg_advisory_xact_lock(hashtextextended('invitation-mail:' || $1::text, 0))) l"#,
        org.as_uuid().to_string()
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(())
}

/// Refuses `adding` more mails when they would take the organisation, or
/// the actor in it, past the hourly allowance. The caller holds
/// [`lock_mailing`].
pub(super) async fn check_hourly(
    conn: &mut PgConnection,
    org: OrgId,
    actor: UserId,
    adding: i64,
) -> Result<(), InviteError> {
    check_hourly_of(conn, org, actor, adding, &MAIL_ACTIONS).await
}

/// [`check_hourly`] counting the mails that `mail_actions` stand for (the
/// reverse invitations count their own, `reverse::MAIL_ACTIONS`).
pub(super) async fn check_hourly_of(
    conn: &mut PgConnection,
    org: OrgId,
    actor: UserId,
    adding: i64,
    mail_actions: &[Action],
) -> Result<(), InviteError> {
    let actions: Vec<&str> = mail_actions.iter().map(|a| a.as_str()).collect();
    let r = sqlx::query!(
        r#"
        select count(*) as "org_sent!",
               count(*) filter (where actor_user_id = $2) as "actor_sent!",
               ceil(extract(epoch from min(occurred_at) + interval '1 hour' - now()))::int as org_wait,
               ceil(extract(epoch from min(occurred_at) filter (where actor_user_id = $2)
                                       + interval '1 hour' - now()))::int as actor_wait
        from audit_events
        where org_id = $1 and action = any($3::text[]) and occurred_at > now() - interval '1 hour'
        "#,
        org.as_uuid(),
        actor.as_uuid(),
        &actions as &[&str],
    )
    .fetch_one(&mut *conn)
    .await?;
    let wait = |w: Option<i32>| u32::try_from(w.unwrap_or(60)).unwrap_or(60).max(1);
    for (who, limit, sent, w) in [
        (
            Quota::Organisation,
            ORG_MAILS_PER_HOUR,
            r.org_sent,
            r.org_wait,
        ),
        (
            Quota::Actor,
            ACTOR_MAILS_PER_HOUR,
            r.actor_sent,
            r.actor_wait,
        ),
    ] {
        if sent + adding > limit {
            return Err(Throttled::Hourly {
                who,
                limit,
                remaining: (limit - sent).max(0),
                retry_after_secs: wait(w),
            }
            .into());
        }
    }
    Ok(())
}

/// Refuses to mail again any of `emails` whose pending invitation was
/// mailed less than [`RESEND_COOLDOWN_MINUTES`] ago.
pub(super) async fn check_recently_sent(
    conn: &mut PgConnection,
    org: OrgId,
    emails: &[&str],
) -> Result<(), InviteError> {
    check_recently_sent_of(conn, org, "personal", emails).await
}

/// [`check_recently_sent`] among the pending invitations of `kind`
/// (`invitation_kind`: `personal`, `reverse`).
pub(super) async fn check_recently_sent_of(
    conn: &mut PgConnection,
    org: OrgId,
    kind: &str,
    emails: &[&str],
) -> Result<(), InviteError> {
    let rows = sqlx::query!(
        r#"
        select email as "email!",
               ceil(extract(epoch from last_sent_at + make_interval(mins => $3) - now()))::int as wait
        from invitations
        where org_id = $1 and kind = $4::text::invitation_kind and status = 'pending'
          and email = any($2::text[]) and last_sent_at > now() - make_interval(mins => $3)
        order by email
        "#,
        org.as_uuid(),
        emails as &[&str],
        RESEND_COOLDOWN_MINUTES,
        kind,
    )
    .fetch_all(&mut *conn)
    .await?;
    if rows.is_empty() {
        return Ok(());
    }
    let retry_after_secs = rows
        .iter()
        .filter_map(|r| r.wait)
        .max()
        .and_then(|w| u32::try_from(w).ok())
        .unwrap_or(60)
        .max(1);
    Err(Throttled::RecentlySent {
        emails: rows.into_iter().map(|r| r.email).collect(),
        retry_after_secs,
    }
    .into())
}
