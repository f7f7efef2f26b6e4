-- Reservations (SPEC R6.2, R6.3): a unit held for a buyer. At most one
-- active reservation per unit is a unique index, so even a bug in code
-- cannot double-book.
--
-- The row lives in the unit owner's tenant; the buyer belongs to the
-- organisation that recorded them (often a partner agency), named in
-- `buyer_org_id`, which must be the owner or an admitted partner.

create type reservation_status as enum ('active', 'released', 'converted');

create table reservations (
    org_id uuid not null,
    id uuid not null default gen_random_uuid(),
    project_id uuid not null,
    unit_id uuid not null,
    buyer_org_id uuid not null,
    buyer_id uuid not null,
    reserved_by_user_id uuid not null,
    buyer_partner_org_id uuid generated always as (
        case when buyer_org_id <> org_id then buyer_org_id end
    ) stored,
    status reservation_status not null default 'active',
    created_at timestamptz not null default now(),
    ended_at timestamptz,
    primary key (org_id, id),
    foreign key (org_id, project_id, unit_id) references units (org_id, project_id, id),
    foreign key (buyer_org_id, buyer_id) references buyers (org_id, id),
    foreign key (buyer_org_id, reserved_by_user_id) references memberships (org_id, user_id),
    foreign key (org_id, project_id, buyer_partner_org_id)
        references project_partners (org_id, project_id, partner_org_id),
    check ((status = 'active') = (ended_at is null))
);

create unique index reservations_one_active on reservations (org_id, unit_id)
    where status = 'active';

alter table reservations enable row level security;
alter table reservations force row level security;
create policy reservations_access on reservations to offplan_app
    using (org_id = app_current_org()
           or (buyer_org_id = app_current_org() and app_is_partner(org_id, project_id)))
    with check (org_id = app_current_org()
           or (buyer_org_id = app_current_org() and app_is_partner(org_id, project_id)));
grant select, insert, update on reservations to offplan_app;
