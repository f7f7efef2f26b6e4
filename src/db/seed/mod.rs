//! Demo data for the run command and the browser tests (issue 3): a
//! Developer, a Studio that is also an Agency, and an Agency; a member of
//! every role; a 40-unit project partnered with the agency and the studio,
//! and a draft one of the developer's own; two clients of the studio, one
//! of them on the platform. Idempotent: each row is keyed on its natural key
//! and left alone when present. Runs as the owner (operator command).

mod showcase;
pub use showcase::{demo_media, demo_showcase, DemoImage};

use super::{admin::AdminDb, DbError};
use crate::policy::Role;

pub struct DemoOrg {
    pub name: &'static str,
    pub subdomain: &'static str,
    pub country: &'static str,
    pub client_types: &'static [&'static str],
    pub colour: &'static str,
    pub tagline: &'static str,
    /// (display name, email, role); the first is the Owner.
    pub people: &'static [(&'static str, &'static str, Role)],
}

pub const DEMO_ORGS: &[DemoOrg] = &[
    DemoOrg {
        name: "Acme Homes",
        subdomain: "acme",
        country: "GB",
        client_types: &["developer"],
        colour: "#1f5f8b",
        tagline: "Waterfront apartments, built to last.",
        people: &[
            ("Ava Thompson", "ava@acme.example", Role::Owner),
            ("Ben Carter", "ben@acme.example", Role::Admin),
            ("Chloe Evans", "chloe@acme.example", Role::SalesManager),
            ("Dan Hughes", "dan@acme.example", Role::ContentEditor),
            ("Ella Price", "ella@acme.example", Role::SalesAgent),
        ],
    },
    DemoOrg {
        name: "Lumen Studio",
        subdomain: "lumen",
        country: "PT",
        client_types: &["studio", "agency"],
        colour: "#7a3ea1",
        tagline: "3D presentations that sell before the first brick.",
        people: &[
            ("Luís Costa", "luis@lumen.example", Role::Owner),
            ("Marta Silva", "marta@lumen.example", Role::ContentEditor),
        ],
    },
    DemoOrg {
        name: "Northstar Realty",
        subdomain: "northstar",
        country: "AE",
        client_types: &["agency"],
        colour: "#c2410c",
        tagline: "Off-plan sales across the Gulf.",
        people: &[
            ("Omar Haddad", "omar@northstar.example", Role::Owner),
            ("Priya Nair", "priya@northstar.example", Role::SalesManager),
            ("Rami Aziz", "rami@northstar.example", Role::SalesAgent),
            ("Sara Khan", "sara@northstar.example", Role::SalesAgent),
        ],
    },
];

/// The demo project of Acme Homes.
pub const DEMO_PROJECT_SLUG: &str = "marina-heights";
pub const DEMO_UNIT_COUNT: i32 = 40;

/// Every demo person signs in with this passphrase (development and tests
/// only; the seed never runs in production).
pub const DEMO_PASSWORD: &str = "offplan demo passphrase";

/// The argon2id hash of [`DEMO_PASSWORD`] (computed off the runtime).
pub async fn demo_password_hash() -> Result<String, crate::password_hash::HashError> {
    let password = crate::domain::NewPassword::parse(DEMO_PASSWORD, false)
        .map_err(|e| crate::password_hash::HashError::Hash(e.to_string()))?;
    crate::password_hash::PasswordHasher::new(1)?
        .hash(&password)
        .await
}

/// Gives the demo people without a password the demo one (`phc`: its
/// argon2id hash, computed by the caller off the async runtime).
pub async fn demo_passwords(db: &AdminDb, phc: &str) -> Result<u64, DbError> {
    let emails: Vec<String> = DEMO_ORGS
        .iter()
        .flat_map(|o| o.people.iter().map(|(_, email, _)| (*email).to_owned()))
        .collect();
    Ok(sqlx::query!(
        "update users set password_hash = $1 where password_hash is null and email = any($2)",
        phc,
        &emails
    )
    .execute(&db.pool)
    .await?
    .rows_affected())
}

/// Inserts whatever demo rows are missing.
#[tracing::instrument(skip_all)]
pub async fn demo(db: &AdminDb) -> Result<(), DbError> {
    let mut tx = db.pool.begin().await?;
    for org in DEMO_ORGS {
        for (name, email, _) in org.people {
            sqlx::query!(
                r#"insert into users (email, email_verified, display_name)
                   values ($1, true, $2) on conflict (email) do nothing"#,
                email,
                name,
            )
            .execute(&mut *tx)
            .await?;
        }
        let (_, owner_email, _) = org.people[0];
        let types: Vec<String> = org.client_types.iter().map(|t| (*t).to_owned()).collect();
        // The owner membership is inserted right after, in this transaction;
        // the deferred owner key checks both at commit (R2.3).
        sqlx::query!(
            r#"
            insert into organisations
                (name, subdomain, country, client_types, brand_colour, tagline, owner_user_id)
            select $1, $2, $3, $4::text[]::client_type[], $5, $6, u.id
            from users u where u.email = $7
            on conflict (subdomain) do nothing
            "#,
            org.name,
            org.subdomain,
            org.country,
            &types,
            org.colour,
            org.tagline,
            owner_email,
        )
        .execute(&mut *tx)
        .await?;
        for (_, email, role) in org.people {
            sqlx::query!(
                r#"
                insert into memberships (org_id, user_id, role)
                select o.id, u.id, $3::text::member_role
                from organisations o, users u
                where o.subdomain = $1 and u.email = $2
                on conflict (org_id, user_id) do nothing
                "#,
                org.subdomain,
                email,
                role.as_str(),
            )
            .execute(&mut *tx)
            .await?;
        }
    }

    // The studio's client (R1.5), a developer without an account yet.
    sqlx::query!(
        r#"
        insert into clients (org_id, name, contact_email)
        select o.id, 'Harbourside Developments', 'info@harbourside.example'
        from organisations o
        where o.subdomain = 'lumen'
          and not exists (select 1 from clients c
                          where c.org_id = o.id and c.name = 'Harbourside Developments')
        "#
    )
    .execute(&mut *tx)
    .await?;
    // A second one that has joined the platform as Acme Homes (R1.5, R5.3),
    // with a contact and notes, so the Clients page shows both states.
    sqlx::query!(
        r#"
        insert into clients (org_id, name, contact_name, contact_email, notes, linked_org_id)
        select o.id, 'Acme Homes', 'Ava Thompson', 'ava@acme.example',
               'Marina Heights presentation: interiors first, then the masterplan.', acme.id
        from organisations o
        join organisations acme on acme.subdomain = 'acme'
        where o.subdomain = 'lumen'
          and not exists (select 1 from clients c
                          where c.org_id = o.id and c.name = 'Acme Homes')
        "#
    )
    .execute(&mut *tx)
    .await?;

    // R5.3: Lumen invited Harbourside's developer to offplan (pending, not
    // opened), so the studio's funnel shows something. Its token is never
    // mailed: only its hash of random bytes is stored.
    sqlx::query!(
        r#"
        insert into invitations
            (org_id, kind, email, client_id, legal_basis_confirmed_at, legal_basis_wording,
             token_hash, invited_by_user_id, expires_at)
        select o.id, 'reverse', 'info@harbourside.example', c.id, now(), $1,
               sha256(convert_to(gen_random_uuid()::text || clock_timestamp()::text, 'UTF8')),
               o.owner_user_id, now() + interval '30 days'
        from organisations o
        join clients c on c.org_id = o.id and c.name = 'Harbourside Developments'
        where o.subdomain = 'lumen'
          and not exists (select 1 from invitations i
                          where i.org_id = o.id and i.kind = 'reverse' and i.client_id = c.id)
        "#,
        crate::domain::REVERSE_LEGAL_BASIS_VERSION
    )
    .execute(&mut *tx)
    .await?;

    // Acme's project, partnered with the agency and the studio.
    sqlx::query!(
        r#"
        insert into projects (org_id, slug, name)
        select id, $1, 'Marina Heights' from organisations where subdomain = 'acme'
        on conflict (org_id, slug) do nothing
        "#,
        DEMO_PROJECT_SLUG
    )
    .execute(&mut *tx)
    .await?;
    // And one still in draft (R1.6), seen by Acme only, with no units yet.
    sqlx::query!(
        r#"
        insert into projects (org_id, slug, name, status)
        select id, 'riverside-gardens', 'Riverside Gardens', 'draft'
        from organisations where subdomain = 'acme'
        on conflict (org_id, slug) do nothing
        "#
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        r#"
        insert into project_partners (org_id, project_id, partner_org_id, kind)
        select p.org_id, p.id, partner.id, kind::partner_kind
        from projects p
        join organisations owner on owner.id = p.org_id and owner.subdomain = 'acme'
        cross join (values ('northstar', 'agency'), ('lumen', 'studio')) as v(sub, kind)
        join organisations partner on partner.subdomain = v.sub
        where p.slug = $1
        on conflict do nothing
        "#,
        DEMO_PROJECT_SLUG
    )
    .execute(&mut *tx)
    .await?;

    // 40 units on 10 floors. Units 1-8 are held by the agency, 9-11 by its
    // agent Rami, 12-13 by Acme's own agent Ella; a few are sold/withdrawn.
    sqlx::query!(
        r#"
        insert into units (org_id, project_id, code, floor, bedrooms, area_m2, price_minor,
                           currency, status, assigned_org_id, assigned_user_org_id,
                           assigned_user_id, assigned_at)
        select p.org_id, p.id,
               format('A-%s%s', f, lpad(n::text, 2, '0')),
               f, (n % 3) + 1, 48 + (n % 3) * 24 + f,
               (250000 + f * 9000 + (n % 3) * 85000) * 100, 'GBP',
               (case when i in (38, 39) then 'sold' when i = 40 then 'withdrawn'
                     else 'available' end)::unit_status,
               case when i <= 8 then ns.id end,
               case when i between 9 and 11 then ns.id when i between 12 and 13 then p.org_id end,
               case when i between 9 and 11 then rami.id when i between 12 and 13 then ella.id end,
               case when i <= 13 then now() end
        from projects p
        join organisations acme on acme.id = p.org_id and acme.subdomain = 'acme'
        join organisations ns on ns.subdomain = 'northstar'
        join users rami on rami.email = 'rami@northstar.example'
        join users ella on ella.email = 'ella@acme.example'
        cross join generate_series(1, $2::int) as i
        cross join lateral (select ((i - 1) / 4) + 1 as f, ((i - 1) % 4) + 1 as n) as pos
        where p.slug = $1
        on conflict (org_id, project_id, code) do nothing
        "#,
        DEMO_PROJECT_SLUG,
        DEMO_UNIT_COUNT,
    )
    .execute(&mut *tx)
    .await?;

    tx.commit().await?;
    Ok(())
}

/// Issue 5's benchmark organisation: `bench.<base>`, `members` people (the
/// first is the Owner, `owner@bench.example`, with the demo password hash
/// `phc`) and `events` audit events appended through the real chain writer.
/// Idempotent: tops the chain up to `events`.
#[tracing::instrument(skip(db, phc))]
pub async fn bench_org(db: &AdminDb, members: i64, events: i64, phc: &str) -> Result<i64, DbError> {
    use super::audit::{self, Action, NewEvent, Pii};
    use crate::domain::{OrgId, UserId};
    let mut tx = db.pool.begin().await?;
    sqlx::query!(
        r#"insert into users (email, email_verified, display_name, password_hash)
           select 'member' || i || '@bench.example', true, 'Bench Member ' || i, $2
           from generate_series(1, $1::int8) as i
           on conflict (email) do nothing"#,
        members,
        phc
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        r#"insert into users (email, email_verified, display_name, password_hash)
           values ('owner@bench.example', true, 'Bench Owner', $1) on conflict (email) do nothing"#,
        phc
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        r#"insert into organisations (name, subdomain, country, client_types, owner_user_id)
           select 'Bench Estates', 'bench', 'GB', '{developer}', id from users where email = 'owner@bench.example'
           on conflict (subdomain) do nothing"#
    )
    .execute(&mut *tx)
    .await?;
    let org = sqlx::query_scalar!("select id from organisations where subdomain = 'bench'")
        .fetch_one(&mut *tx)
        .await?;
    sqlx::query!(
        r#"insert into memberships (org_id, user_id, role)
           select $1, u.id, case when u.email = 'owner@bench.example' then 'owner'::member_role
                                  when (u.email collate "C") like 'member1_@%' then 'admin'::member_role
                                  else 'sales_agent'::member_role end
           from users u where (u.email collate "C") like '%@bench.example'
           on conflict do nothing"#,
        org
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    let people: Vec<uuid::Uuid> = sqlx::query_scalar!(
        "select user_id from memberships where org_id = $1 order by user_id",
        org
    )
    .fetch_all(&db.pool)
    .await?;
    let org = OrgId::from_db(org);
    let have = sqlx::query_scalar!(
        r#"select coalesce(max(seq), 0) as "n!" from audit_events where org_id = $1"#,
        org.as_uuid()
    )
    .fetch_one(&db.pool)
    .await?;
    let roles = ["sales_agent", "sales_manager", "content_editor", "admin"];
    let mut n = have;
    while n < events {
        let mut tx = db.pool.begin().await?;
        let batch_end = (n + 5_000).min(events);
        while n < batch_end {
            let i = n as usize;
            let actor = UserId::from_db(people[i % people.len()]);
            let target = UserId::from_db(people[(i * 7 + 3) % people.len()]);
            let event = if i.is_multiple_of(3) {
                NewEvent::new(Some(actor), Action::InvitationSent)
                    .target("invitation", uuid::Uuid::new_v4())
                    .metadata(serde_json::json!({ "role": roles[i % 4] }))
                    .pii(Pii {
                        ip: Some("192.0.2.10".into()),
                        data: serde_json::json!({ "email": format!("guest{i}@example.com") }),
                    })
            } else {
                NewEvent::new(Some(actor), Action::MemberRoleChanged)
                    .target("user", target)
                    .metadata(serde_json::json!({ "from": roles[i % 4], "to": roles[(i + 1) % 4] }))
            };
            audit::append_to(&mut tx, org, &event).await?;
            n += 1;
        }
        tx.commit().await?;
        if n % 100_000 == 0 {
            tracing::info!(events = n, "bench audit events");
        }
    }
    Ok(n)
}

/// The demo projects' history (R8.4): a few events on Marina Heights and
/// Riverside Gardens in Acme's chain, written through the real chain writer
/// with the project set, so Project Settings → Activity log has something
/// to show (and to filter and page). They agree with the rows [`demo`]
/// inserts: Riverside Gardens was created active, its stock mode opened and
/// closed again, and it went back to draft. Idempotent: a project that has
/// events already is left alone. Kept apart from [`demo`] so that the tests'
/// seeded databases start with empty chains.
#[tracing::instrument(skip_all)]
pub async fn demo_activity(db: &AdminDb) -> Result<(), DbError> {
    use super::audit::{self, Action, NewEvent};
    use crate::domain::{OrgId, ProjectId, UserId};
    use serde_json::json;
    type Story = &'static [(&'static str, Action, fn() -> serde_json::Value)];
    const MARINA: Story = &[(
        "ava@acme.example",
        Action::ProjectCreated,
        || json!({"slug": "marina-heights", "status": "active", "client": null}),
    )];
    const RIVERSIDE: Story = &[
        (
            "ava@acme.example",
            Action::ProjectCreated,
            || json!({"slug": "riverside-gardens", "status": "active", "client": null}),
        ),
        (
            "chloe@acme.example",
            Action::ProjectStockModeChanged,
            || json!({"from": "closed", "to": "open"}),
        ),
        (
            "chloe@acme.example",
            Action::ProjectStockModeChanged,
            || json!({"from": "open", "to": "closed"}),
        ),
        (
            "ben@acme.example",
            Action::ProjectUpdated,
            || json!({"status_from": "active", "status_to": "draft"}),
        ),
    ];
    for (slug, story) in [
        (DEMO_PROJECT_SLUG, MARINA),
        ("riverside-gardens", RIVERSIDE),
    ] {
        let mut tx = db.pool.begin().await?;
        let Some(row) = sqlx::query!(
            r#"
            select p.org_id, p.id,
                   exists (select 1 from audit_events e
                           where e.org_id = p.org_id and e.project_id = p.id) as "told!"
            from projects p join organisations o on o.id = p.org_id and o.subdomain = 'acme'
            where p.slug = $1
            "#,
            slug
        )
        .fetch_optional(&mut *tx)
        .await?
        else {
            continue;
        };
        if row.told {
            continue;
        }
        let (org, project) = (OrgId::from_db(row.org_id), ProjectId::from_db(row.id));
        for (email, action, metadata) in story {
            let actor = sqlx::query_scalar!("select id from users where email = $1", email)
                .fetch_one(&mut *tx)
                .await?;
            let event = NewEvent::new(Some(UserId::from_db(actor)), *action)
                .project(project)
                .target("project", project)
                .metadata(metadata());
            audit::append_to(&mut tx, org, &event).await?;
        }
        tx.commit().await?;
    }
    Ok(())
}
