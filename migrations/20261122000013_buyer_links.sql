-- Buyer links (SPEC R7.3): a token scoped to exactly one (buyer, unit).
-- Only a SHA-256 of the token is stored (R5.4). One live link per pair:
-- issuing a new one revokes the old in the same transaction.
--
-- The link lives in the buyer's organisation (which issues it); the unit's
-- owner is named in `unit_org_id` so that reassigning the unit or marking
-- it sold can revoke links from the owner's side.

create table buyer_links (
    org_id uuid not null,
    id uuid not null default gen_random_uuid(),
    buyer_id uuid not null,
    unit_org_id uuid not null,
    project_id uuid not null,
    unit_id uuid not null,
    unit_partner_org_id uuid generated always as (
        case when unit_org_id <> org_id then org_id end
    ) stored,
    token_hash bytea not null constraint buyer_links_token_hash_key unique
        check (octet_length(token_hash) = 32),
    created_by_user_id uuid not null,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    revoked_at timestamptz,
    revoke_reason text check (revoke_reason in ('reissued', 'reassigned', 'sold', 'manual')),
    last_opened_at timestamptz,
    primary key (org_id, id),
    foreign key (org_id, buyer_id) references buyers (org_id, id),
    foreign key (unit_org_id, project_id, unit_id) references units (org_id, project_id, id),
    foreign key (org_id, created_by_user_id) references memberships (org_id, user_id),
    -- The issuing organisation must be a partner of the unit's project.
    foreign key (unit_org_id, project_id, unit_partner_org_id)
        references project_partners (org_id, project_id, partner_org_id),
    check (expires_at > created_at),
    check ((revoked_at is null) = (revoke_reason is null))
);

create unique index buyer_links_one_live on buyer_links (org_id, buyer_id, unit_id)
    where revoked_at is null;
create index buyer_links_unit on buyer_links (unit_org_id, unit_id) where revoked_at is null;

alter table buyer_links enable row level security;
alter table buyer_links force row level security;
create policy buyer_links_read on buyer_links for select to offplan_app
    using (org_id = app_current_org() or unit_org_id = app_current_org());
create policy buyer_links_insert on buyer_links for insert to offplan_app
    with check (org_id = app_current_org());
create policy buyer_links_update on buyer_links for update to offplan_app
    using (org_id = app_current_org() or unit_org_id = app_current_org())
    with check (org_id = app_current_org() or unit_org_id = app_current_org());
grant select, insert, update on buyer_links to offplan_app;
