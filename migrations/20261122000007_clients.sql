-- Clients (SPEC R1.5): customer records kept by an organisation, e.g. a
-- studio's developer client who has no account yet. `linked_org_id` names
-- the organisation the client later signed up as (R5.3) — a deliberate
-- cross-tenant reference in its own column.

create table clients (
    org_id uuid not null references organisations (id) on delete restrict,
    id uuid not null default gen_random_uuid(),
    name text not null check (char_length(btrim(name)) between 1 and 200),
    contact_email text collate case_insensitive,
    linked_org_id uuid references organisations (id),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (org_id, id)
);

create trigger clients_updated_at before update on clients
    for each row execute function set_updated_at();

alter table clients enable row level security;
alter table clients force row level security;
create policy clients_tenant on clients to offplan_app
    using (org_id = app_current_org()) with check (org_id = app_current_org());
grant select, insert, update, delete on clients to offplan_app;
