-- Units (SPEC R1.8, R6.2): one sellable item of a project.
--
-- The assignee is polymorphic and typed: nothing, a partner agency
-- (`assigned_org_id`, which must be an admitted partner of *this* project),
-- or an agent (`assigned_user_id` with the organisation they act for, which
-- must be a membership). At most one is set. An agent of another
-- organisation must belong to a partner of the project: the generated
-- `agent_partner_org_id` carries that organisation into a second composite
-- key against project_partners.

create type unit_status as enum ('available', 'reserved', 'sold', 'withdrawn');

create table units (
    org_id uuid not null,
    project_id uuid not null,
    id uuid not null default gen_random_uuid(),
    code text not null check (char_length(btrim(code)) between 1 and 32),
    floor integer check (floor between -10 and 300),
    bedrooms smallint check (bedrooms between 0 and 20),
    area_m2 numeric(8, 2) check (area_m2 > 0),
    -- Money in minor units (cents) with its currency; never floats.
    price_minor bigint check (price_minor >= 0),
    currency char(3) not null default 'EUR' check (currency ~ '^[A-Z]{3}$'),
    status unit_status not null default 'available',
    assigned_org_id uuid,
    assigned_user_id uuid,
    assigned_user_org_id uuid,
    agent_partner_org_id uuid generated always as (
        case when assigned_user_org_id <> org_id then assigned_user_org_id end
    ) stored,
    assigned_at timestamptz,
    -- R6.3: optimistic concurrency; every change increments it.
    version bigint not null default 0 check (version >= 0),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (org_id, id),
    -- Lets reservations and buyer links prove the unit is in the project
    -- they name.
    constraint units_org_project_id_key unique (org_id, project_id, id),
    constraint units_org_project_code_key unique (org_id, project_id, code),
    foreign key (org_id, project_id) references projects (org_id, id) on delete cascade,
    constraint units_assigned_agency_fkey foreign key (org_id, project_id, assigned_org_id)
        references project_partners (org_id, project_id, partner_org_id),
    constraint units_assigned_agent_fkey foreign key (assigned_user_org_id, assigned_user_id)
        references memberships (org_id, user_id),
    constraint units_agent_partner_fkey foreign key (org_id, project_id, agent_partner_org_id)
        references project_partners (org_id, project_id, partner_org_id),
    constraint units_one_assignee check (num_nonnulls(assigned_org_id, assigned_user_id) <= 1),
    check ((assigned_user_id is null) = (assigned_user_org_id is null)),
    check ((num_nonnulls(assigned_org_id, assigned_user_id) = 1) = (assigned_at is not null))
);

create index units_project_status on units (org_id, project_id, status);
create index units_assigned_org on units (assigned_org_id) where assigned_org_id is not null;
create index units_assigned_user on units (assigned_user_org_id, assigned_user_id)
    where assigned_user_id is not null;

create trigger units_updated_at before update on units
    for each row execute function set_updated_at();

alter table units enable row level security;
alter table units force row level security;
-- Partners see the units of projects they are admitted to and may change
-- them (agents reserve); what exactly they may change is the repository's
-- pool rules (R6.1). Only the owner creates or deletes units.
create policy units_read on units for select to offplan_app
    using (org_id = app_current_org() or app_is_partner(org_id, project_id));
create policy units_update on units for update to offplan_app
    using (org_id = app_current_org() or app_is_partner(org_id, project_id))
    with check (org_id = app_current_org() or app_is_partner(org_id, project_id));
create policy units_insert on units for insert to offplan_app
    with check (org_id = app_current_org());
create policy units_delete on units for delete to offplan_app
    using (org_id = app_current_org());
grant select, insert, update, delete on units to offplan_app;
