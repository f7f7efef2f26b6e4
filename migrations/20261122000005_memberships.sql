-- Memberships (SPEC R1.4, R2.1): one role per person per organisation — the
-- primary key is (org_id, user_id), so a second role is a second row that
-- cannot exist.

create type member_role as enum ('owner', 'admin', 'sales_manager', 'content_editor', 'sales_agent');
create type member_status as enum ('active', 'removed');

create table memberships (
    org_id uuid not null references organisations (id) on delete restrict,
    user_id uuid not null references users (id) on delete restrict,
    role member_role not null,
    status member_status not null default 'active',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    last_active_at timestamptz,
    removed_at timestamptz,
    removed_by_user_id uuid references users (id),
    primary key (org_id, user_id),
    check ((status = 'removed') = (removed_at is not null)),
    -- The owner organisation's row references (org, user, role, status) so
    -- that demoting or removing the Owner breaks that reference (see the
    -- next migration).
    constraint memberships_org_user_role_status_key unique (org_id, user_id, role, status)
);

-- R2.3, "at most one": a second active Owner cannot be inserted.
create unique index memberships_one_owner on memberships (org_id)
    where role = 'owner' and status = 'active';

-- "Which organisations am I in" (central login picker, R3.5).
create index memberships_user on memberships (user_id) where status = 'active';

create trigger memberships_updated_at before update on memberships
    for each row execute function set_updated_at();

alter table memberships enable row level security;
alter table memberships force row level security;
-- Read: your organisation's team, and your own memberships elsewhere (the
-- organisation picker). Write: only inside the current organisation.
create policy memberships_read on memberships for select to offplan_app
    using (org_id = app_current_org() or user_id = app_current_user());
create policy memberships_insert on memberships for insert to offplan_app
    with check (org_id = app_current_org());
create policy memberships_update on memberships for update to offplan_app
    using (org_id = app_current_org()) with check (org_id = app_current_org());
grant select, insert, update on memberships to offplan_app;
