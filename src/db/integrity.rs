//! The integrity scan (SPEC R10.5): reports tenant mismatches, orphans and
//! nulls that the constraints should make impossible, and checks that the
//! walls themselves are in place (row-level security, composite keys, the
//! runtime role's privileges). Runs as the owner; CI runs it on the test
//! database after the browser suite.

use super::{admin::AdminDb, DbError};

/// One problem found, with how many rows (or objects) show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub check: &'static str,
    pub count: i64,
    pub detail: String,
}

/// The checks: (name, query returning `(count, detail)`). Each query's
/// count is zero on a healthy database.
const CHECKS: &[(&str, &str)] = &[
    (
        "tables with org_id lacking forced row-level security",
        r#"select count(*), coalesce(string_agg(c.relname, ', ' order by c.relname), '')
           from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where n.nspname = 'public' and c.relkind = 'r'
             and exists (select 1 from pg_attribute a where a.attrelid = c.oid
                         and a.attname = 'org_id' and not a.attisdropped)
             and not (c.relrowsecurity and c.relforcerowsecurity)"#,
    ),
    (
        "foreign keys into tenant tables that do not carry the tenant",
        r#"select count(*), coalesce(string_agg(con.conname, ', ' order by con.conname), '')
           from pg_constraint con
           join pg_class dst on dst.oid = con.confrelid
           where con.contype = 'f'
             and exists (select 1 from pg_attribute a where a.attrelid = dst.oid and a.attname = 'org_id')
             and not exists (select 1 from pg_attribute a
                             where a.attrelid = con.confrelid and a.attnum = any(con.confkey)
                               and a.attname = 'org_id')"#,
    ),
    (
        "runtime role has a privileged attribute",
        r#"select count(*), coalesce(string_agg(rolname, ', '), '')
           from pg_roles where rolname = 'offplan_app'
             and (rolsuper or rolbypassrls or rolcreaterole or rolcreatedb)"#,
    ),
    (
        "runtime role may change audit events",
        r#"select count(*), coalesce(string_agg(privilege_type, ', '), '')
           from information_schema.role_table_grants
           where grantee = 'offplan_app' and table_name in ('audit_events', 'audit_event_pii')
             and privilege_type not in ('SELECT', 'INSERT')"#,
    ),
    (
        "organisations without an active Owner membership",
        r#"select count(*), coalesce(string_agg(o.subdomain, ', '), '')
           from organisations o
           where not exists (select 1 from memberships m where m.org_id = o.id
                             and m.user_id = o.owner_user_id and m.role = 'owner'
                             and m.status = 'active')"#,
    ),
    (
        "organisations with more than one active Owner",
        r#"select count(*), coalesce(string_agg(org_id::text, ', '), '')
           from (select org_id from memberships where role = 'owner' and status = 'active'
                 group by org_id having count(*) > 1) x"#,
    ),
    (
        "active memberships of deleted accounts",
        r#"select count(*), ''
           from memberships m join users u on u.id = m.user_id
           where m.status = 'active' and u.deleted_at is not null"#,
    ),
    (
        "removed memberships without who removed them",
        r#"select count(*), ''
           from memberships where status = 'removed' and removed_by_user_id is null"#,
    ),
    (
        "units assigned to an agent who is not an active member",
        r#"select count(*), coalesce(string_agg(u.code, ', '), '')
           from units u join memberships m
             on m.org_id = u.assigned_user_org_id and m.user_id = u.assigned_user_id
           where m.status <> 'active'"#,
    ),
    (
        "units reserved without an active reservation, or the reverse",
        r#"select count(*), coalesce(string_agg(u.code, ', '), '')
           from units u
           where (u.status = 'reserved') <> exists (
               select 1 from reservations r
               where r.org_id = u.org_id and r.unit_id = u.id and r.status = 'active')"#,
    ),
    (
        "audit chains with gaps",
        r#"select count(*), coalesce(string_agg(org_id::text, ', '), '')
           from (select org_id from audit_events group by org_id
                 having max(seq) <> count(*)) x"#,
    ),
    (
        "audit chain heads that disagree with the last event",
        r#"select count(*), coalesce(string_agg(h.org_id::text, ', '), '')
           from audit_chain_heads h
           left join audit_events e on e.org_id = h.org_id and e.seq = h.seq
           where h.seq > 0 and (e.seq is null or e.hash <> h.hash)"#,
    ),
];

impl AdminDb {
    /// Runs every check; an empty answer means a clean database.
    pub async fn integrity_scan(&self) -> Result<Vec<Finding>, DbError> {
        let mut findings = Vec::new();
        for (check, sql) in CHECKS {
            // Fixed catalogue queries from this file, never user input; a
            // runtime string because they read system catalogues that the
            // compile-time checker cannot type.
            #[expect(
                clippy::disallowed_methods,
                reason = "fixed statements from CHECKS above, looped over; each is run by the integrity-scan test"
            )]
            let (count, detail): (i64, String) = sqlx::query_as(sql).fetch_one(&self.pool).await?;
            if count > 0 {
                findings.push(Finding {
                    check,
                    count,
                    detail,
                });
            }
        }
        Ok(findings)
    }

    /// How many checks the scan runs.
    pub fn integrity_check_count() -> usize {
        CHECKS.len()
    }
}
