-- The audit log (SPEC R8.1-R8.3, R8.5).
--
-- audit_events is append-only for the application: offplan_app may INSERT
-- and SELECT, nothing else (no UPDATE, DELETE or TRUNCATE grant). Each
-- organisation's events form a gap-free hash chain (seq, prev_hash, hash);
-- writers take the organisation's row in audit_chain_heads FOR UPDATE, so
-- concurrent transactions cannot fork it.
--
-- Personal data (IP, emails, names in metadata) sits in audit_event_pii;
-- the chain covers only its salted digest (pii_digest), so pseudonymisation
-- after 12 months can erase it without breaking the chain.

create type pii_class as enum ('none', 'personal', 'sensitive');

create table audit_events (
    -- The controller organisation (R8.1 controller_org_id).
    org_id uuid not null references organisations (id) on delete restrict,
    seq bigint not null check (seq >= 1),
    id uuid not null default gen_random_uuid() constraint audit_events_id_key unique,
    occurred_at timestamptz not null default now(),
    actor_user_id uuid references users (id),
    project_id uuid,
    -- From the closed registry in code, e.g. member.role_changed.
    action text not null check (action ~ '^[a-z][a-z_]*(\.[a-z][a-z_]*)+$'),
    target_type text check (char_length(target_type) <= 40),
    target_id text check (char_length(target_id) <= 80),
    metadata jsonb not null default '{}' check (jsonb_typeof(metadata) = 'object'),
    pii_class pii_class not null default 'none',
    pii_digest bytea check (octet_length(pii_digest) = 32),
    prev_hash bytea not null check (octet_length(prev_hash) = 32),
    hash bytea not null check (octet_length(hash) = 32),
    primary key (org_id, seq),
    foreign key (org_id, project_id) references projects (org_id, id),
    check ((pii_class = 'none') = (pii_digest is null))
);

create index audit_events_time on audit_events (org_id, occurred_at desc, seq desc);
create index audit_events_actor on audit_events (org_id, actor_user_id, seq desc);
create index audit_events_action on audit_events (org_id, action, seq desc);
create index audit_events_project on audit_events (org_id, project_id, seq desc)
    where project_id is not null;

create table audit_event_pii (
    org_id uuid not null,
    seq bigint not null,
    ip inet,
    data jsonb not null default '{}' check (jsonb_typeof(data) = 'object'),
    salt bytea not null check (octet_length(salt) >= 16),
    pseudonymised_at timestamptz,
    primary key (org_id, seq),
    foreign key (org_id, seq) references audit_events (org_id, seq)
);

-- The head of each organisation's chain: the lock writers serialise on.
create table audit_chain_heads (
    org_id uuid primary key references organisations (id) on delete restrict,
    seq bigint not null check (seq >= 0),
    hash bytea not null check (octet_length(hash) = 32)
);

-- Monthly seals (R8.3): signed checkpoints, written by the operator CLI.
create table audit_seals (
    org_id uuid not null references organisations (id) on delete restrict,
    month date not null check (extract(day from month) = 1),
    first_seq bigint not null,
    last_seq bigint not null,
    merkle_root bytea not null check (octet_length(merkle_root) = 32),
    prev_seal_hash bytea check (octet_length(prev_seal_hash) = 32),
    key_id text not null,
    signature bytea not null,
    created_at timestamptz not null default now(),
    primary key (org_id, month),
    check (last_seq >= first_seq)
);

alter table audit_events enable row level security;
alter table audit_events force row level security;
create policy audit_events_read on audit_events for select to offplan_app
    using (org_id = app_current_org());
create policy audit_events_append on audit_events for insert to offplan_app
    with check (org_id = app_current_org());
-- R8.2: insert and read, nothing else.
grant select, insert on audit_events to offplan_app;

alter table audit_event_pii enable row level security;
alter table audit_event_pii force row level security;
create policy audit_event_pii_read on audit_event_pii for select to offplan_app
    using (org_id = app_current_org());
create policy audit_event_pii_append on audit_event_pii for insert to offplan_app
    with check (org_id = app_current_org());
grant select, insert on audit_event_pii to offplan_app;

alter table audit_chain_heads enable row level security;
alter table audit_chain_heads force row level security;
create policy audit_chain_heads_tenant on audit_chain_heads to offplan_app
    using (org_id = app_current_org()) with check (org_id = app_current_org());
grant select, insert, update on audit_chain_heads to offplan_app;

alter table audit_seals enable row level security;
alter table audit_seals force row level security;
create policy audit_seals_read on audit_seals for select to offplan_app
    using (org_id = app_current_org());
grant select on audit_seals to offplan_app;
