-- Projects (SPEC R1.6): belong to one organisation; slug unique within it.

create type stock_mode as enum ('closed', 'open');
create type project_status as enum ('draft', 'active', 'archived');

create table projects (
    org_id uuid not null references organisations (id) on delete restrict,
    id uuid not null default gen_random_uuid(),
    slug text not null check (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
    name text not null check (char_length(btrim(name)) between 1 and 200),
    -- R6.1: closed pool by default.
    stock_mode stock_mode not null default 'closed',
    status project_status not null default 'active',
    -- A studio's project on behalf of one of its clients.
    client_id uuid,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (org_id, id),
    constraint projects_org_slug_key unique (org_id, slug),
    foreign key (org_id, client_id) references clients (org_id, id)
);

create trigger projects_updated_at before update on projects
    for each row execute function set_updated_at();
