-- Project partners (SPEC R1.7, R5.2): another organisation admitted to a
-- project as studio or agency. The row lives in the project owner's tenant
-- (org_id) and names the partner in its own column.

create type partner_kind as enum ('studio', 'agency');
create type partner_status as enum ('active', 'removed');

create table project_partners (
    org_id uuid not null,
    project_id uuid not null,
    partner_org_id uuid not null references organisations (id) on delete restrict,
    kind partner_kind not null,
    status partner_status not null default 'active',
    created_at timestamptz not null default now(),
    removed_at timestamptz,
    primary key (org_id, project_id, partner_org_id),
    foreign key (org_id, project_id) references projects (org_id, id) on delete cascade,
    check (partner_org_id <> org_id),
    check ((status = 'removed') = (removed_at is not null))
);

-- "Which projects am I a partner of", for the partner's workspace and RLS.
create index project_partners_partner on project_partners (partner_org_id, org_id, project_id)
    where status = 'active';

-- True when the current organisation is an active partner of the project.
-- SECURITY DEFINER so the policies that call it do not recurse into
-- project_partners' own policy; it reads one indexed row.
create or replace function app_is_partner(p_org uuid, p_project uuid) returns boolean
language sql stable security definer set search_path = public as $$
    select exists (
        select 1 from project_partners pp
        where pp.partner_org_id = app_current_org()
          and pp.org_id = p_org
          and pp.project_id = p_project
          and pp.status = 'active'
    );
$$;
revoke all on function app_is_partner(uuid, uuid) from public;
grant execute on function app_is_partner(uuid, uuid) to offplan_app;

alter table project_partners enable row level security;
alter table project_partners force row level security;
-- A partner sees its own partnership rows; only the owner changes them.
create policy project_partners_read on project_partners for select to offplan_app
    using (org_id = app_current_org() or partner_org_id = app_current_org());
create policy project_partners_write on project_partners for insert to offplan_app
    with check (org_id = app_current_org());
create policy project_partners_update on project_partners for update to offplan_app
    using (org_id = app_current_org()) with check (org_id = app_current_org());
grant select, insert, update on project_partners to offplan_app;

-- Projects: partners see the projects they are admitted to (R1.7).
alter table projects enable row level security;
alter table projects force row level security;
create policy projects_read on projects for select to offplan_app
    using (org_id = app_current_org() or app_is_partner(org_id, id));
create policy projects_insert on projects for insert to offplan_app
    with check (org_id = app_current_org());
create policy projects_update on projects for update to offplan_app
    using (org_id = app_current_org()) with check (org_id = app_current_org());
grant select, insert, update on projects to offplan_app;
