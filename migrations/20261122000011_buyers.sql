-- Buyers (SPEC R1.9): prospective purchasers recorded by an organisation
-- (usually an agency). Name, email and phone are personal data (R8.5).
-- Before the first buyer, an Owner or Admin accepts the data-processing
-- terms (joint-controller gate); the acceptance is its own table.

create table data_processing_acceptances (
    org_id uuid not null references organisations (id) on delete restrict,
    terms_version text not null check (char_length(terms_version) between 1 and 40),
    accepted_by_user_id uuid not null,
    accepted_at timestamptz not null default now(),
    primary key (org_id, terms_version),
    foreign key (org_id, accepted_by_user_id) references memberships (org_id, user_id)
);

create table buyers (
    org_id uuid not null references organisations (id) on delete restrict,
    id uuid not null default gen_random_uuid(),
    -- The agent who recorded the buyer ("own buyers", R2.2).
    created_by_user_id uuid not null,
    name text not null check (char_length(btrim(name)) between 1 and 200),
    email text collate case_insensitive,
    phone text check (char_length(phone) <= 40),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (org_id, id),
    foreign key (org_id, created_by_user_id) references memberships (org_id, user_id)
);

create index buyers_created_by on buyers (org_id, created_by_user_id);

create trigger buyers_updated_at before update on buyers
    for each row execute function set_updated_at();

alter table data_processing_acceptances enable row level security;
alter table data_processing_acceptances force row level security;
create policy dpa_tenant on data_processing_acceptances to offplan_app
    using (org_id = app_current_org()) with check (org_id = app_current_org());
grant select, insert on data_processing_acceptances to offplan_app;

alter table buyers enable row level security;
alter table buyers force row level security;
create policy buyers_tenant on buyers to offplan_app
    using (org_id = app_current_org()) with check (org_id = app_current_org());
grant select, insert, update, delete on buyers to offplan_app;
