-- The project's presentation, its media, and what a buyer record holds
-- (SPEC R1.9, R2.2 "edit project content", R3.4, R7.3; issue 13).
--
-- Who writes the presentation: the project's owner (Owner, Admin, Content
-- Editor — the repository checks the role) and its *studio* partner
-- (Content Editor, Admin). An agency partner reads it and writes nothing.
-- Unit facts (code, floor, bedrooms, area, price) stay on `units`, which
-- only the owner changes (units_partner_guard); the per-unit presentation
-- (description, floor plan) is its own table so a studio can write it.

-- Whether the current organisation may write the presentation of a project:
-- it owns it, or it is the project's active studio partner.
create or replace function app_may_present(p_org uuid, p_project uuid) returns boolean
language sql stable security definer set search_path = public as $$
    select p_org = app_current_org()
        or coalesce(app_partner_kind(p_org, p_project) = 'studio', false);
$$;
revoke all on function app_may_present(uuid, uuid) from public;
grant execute on function app_may_present(uuid, uuid) to offplan_app;

-- The text of a project's presentation. One row per project, created on
-- the first edit; who changed it last, for the editor ("last changed by").
create table project_presentations (
    org_id uuid not null,
    project_id uuid not null,
    headline text constraint project_presentations_headline_length
        check (char_length(btrim(headline)) between 1 and 120),
    description text constraint project_presentations_description_length
        check (char_length(description) between 1 and 5000),
    location text constraint project_presentations_location_length
        check (char_length(btrim(location)) between 1 and 200),
    -- The month building is expected to finish (the first of that month).
    expected_completion date
        check (expected_completion = date_trunc('month', expected_completion)::date),
    updated_by_user_id uuid not null references users (id),
    updated_by_org_id uuid not null references organisations (id),
    updated_at timestamptz not null default now(),
    primary key (org_id, project_id),
    foreign key (org_id, project_id) references projects (org_id, id) on delete cascade
);

create trigger project_presentations_updated_at before update on project_presentations
    for each row execute function set_updated_at();

-- What a unit's page says beyond its facts.
create table unit_presentations (
    org_id uuid not null,
    project_id uuid not null,
    unit_id uuid not null,
    description text constraint unit_presentations_description_length
        check (char_length(description) between 1 and 2000),
    updated_by_user_id uuid not null references users (id),
    updated_by_org_id uuid not null references organisations (id),
    updated_at timestamptz not null default now(),
    primary key (org_id, unit_id),
    foreign key (org_id, project_id, unit_id) references units (org_id, project_id, id)
        on delete cascade
);

create trigger unit_presentations_updated_at before update on unit_presentations
    for each row execute function set_updated_at();

-- Uploaded images (R3.4). The bytes live in object storage on the media
-- origin, never in the database and never on `*.<base>`: `web_key` and
-- `thumb_key` are the content hashes (SHA-256, hex) of the re-encoded
-- files, which are their names there. A row belongs to the project's owner
-- whoever uploaded it (the studio's people too), so it follows the project.
create type media_role as enum ('hero', 'gallery', 'floor_plan');

create table media (
    org_id uuid not null,
    project_id uuid not null,
    id uuid not null default gen_random_uuid(),
    role media_role not null,
    -- Floor plans are per unit; hero and gallery images per project.
    unit_id uuid,
    web_key text not null check (web_key ~ '^[0-9a-f]{64}$'),
    thumb_key text not null check (thumb_key ~ '^[0-9a-f]{64}$'),
    -- The re-encoded type, which is what the media origin serves.
    content_type text not null check (content_type in ('image/jpeg', 'image/png', 'image/webp')),
    width integer not null check (width between 1 and 4096),
    height integer not null check (height between 1 and 4096),
    bytes bigint not null check (bytes between 1 and 20000000),
    alt text constraint media_alt_length check (char_length(alt) <= 300),
    -- Gallery order (ascending); null for the other roles.
    position integer check (position between 0 and 999),
    uploaded_by_user_id uuid not null references users (id),
    uploaded_by_org_id uuid not null references organisations (id),
    created_at timestamptz not null default now(),
    -- Replaced or removed: kept for the record, no longer shown.
    removed_at timestamptz,
    primary key (org_id, id),
    foreign key (org_id, project_id) references projects (org_id, id) on delete cascade,
    foreign key (org_id, project_id, unit_id) references units (org_id, project_id, id)
        on delete cascade,
    check ((role = 'floor_plan') = (unit_id is not null)),
    check ((role = 'gallery') = (position is not null))
);

-- One live hero per project, one live floor plan per unit.
create unique index media_one_hero on media (org_id, project_id)
    where role = 'hero' and removed_at is null;
create unique index media_one_floor_plan on media (org_id, unit_id)
    where role = 'floor_plan' and removed_at is null;
create index media_project on media (org_id, project_id) where removed_at is null;
-- The media origin looks a file up by its name.
create index media_web_key on media (web_key);
create index media_thumb_key on media (thumb_key);

-- Row-level security: the owner and every active partner read; the owner
-- and its studio partner write; nobody deletes (media is removed by
-- setting removed_at).
alter table project_presentations enable row level security;
alter table project_presentations force row level security;
create policy project_presentations_read on project_presentations for select to offplan_app
    using (org_id = app_current_org() or app_is_partner(org_id, project_id));
create policy project_presentations_insert on project_presentations for insert to offplan_app
    with check (app_may_present(org_id, project_id) and updated_by_org_id = app_current_org());
create policy project_presentations_update on project_presentations for update to offplan_app
    using (app_may_present(org_id, project_id))
    with check (app_may_present(org_id, project_id) and updated_by_org_id = app_current_org());
grant select, insert, update on project_presentations to offplan_app;

alter table unit_presentations enable row level security;
alter table unit_presentations force row level security;
create policy unit_presentations_read on unit_presentations for select to offplan_app
    using (org_id = app_current_org() or app_is_partner(org_id, project_id));
create policy unit_presentations_insert on unit_presentations for insert to offplan_app
    with check (app_may_present(org_id, project_id) and updated_by_org_id = app_current_org());
create policy unit_presentations_update on unit_presentations for update to offplan_app
    using (app_may_present(org_id, project_id))
    with check (app_may_present(org_id, project_id) and updated_by_org_id = app_current_org());
grant select, insert, update on unit_presentations to offplan_app;

alter table media enable row level security;
alter table media force row level security;
create policy media_read on media for select to offplan_app
    using (org_id = app_current_org() or app_is_partner(org_id, project_id));
create policy media_insert on media for insert to offplan_app
    with check (app_may_present(org_id, project_id) and uploaded_by_org_id = app_current_org());
create policy media_update on media for update to offplan_app
    using (app_may_present(org_id, project_id))
    with check (app_may_present(org_id, project_id));
grant select, insert, update on media to offplan_app;

-- What a row of media is never changes; only its alt text, gallery
-- position and removal do.
create or replace function media_guard() returns trigger
language plpgsql as $$
begin
    if not row_security_active(tg_relid) then
        return new;
    end if;
    if (new.org_id, new.project_id, new.id, new.role, new.unit_id, new.web_key, new.thumb_key,
        new.content_type, new.width, new.height, new.bytes, new.uploaded_by_user_id,
        new.uploaded_by_org_id, new.created_at)
       is distinct from
       (old.org_id, old.project_id, old.id, old.role, old.unit_id, old.web_key, old.thumb_key,
        old.content_type, old.width, old.height, old.bytes, old.uploaded_by_user_id,
        old.uploaded_by_org_id, old.created_at) then
        raise exception 'an uploaded image never changes; upload a new one'
            using errcode = 'insufficient_privilege';
    end if;
    if old.removed_at is not null and new.removed_at is distinct from old.removed_at then
        raise exception 'a removed image stays removed'
            using errcode = 'insufficient_privilege';
    end if;
    return new;
end;
$$;

create trigger media_guard before update on media
    for each row execute function media_guard();

-- The media origin serves a file to anyone who has its name (a 256-bit
-- content hash, like an unguessable URL), but only while a live row names
-- it: removing an image stops it being served. This view is the only
-- cross-tenant read of media the runtime role has, and it exposes nothing
-- but the name and its type.
create view media_objects with (security_barrier = true) as
    select m.web_key as key, m.content_type from media m where m.removed_at is null
    union
    select m.thumb_key as key, m.content_type from media m where m.removed_at is null;

comment on view media_objects is
    'Names of the live re-encoded images and their types: what the media origin may serve (R3.4).';
revoke all on media_objects from public;
grant select on media_objects to offplan_app;

-- Buyers (R1.9): notes for the agent, and consent to be contacted (when it
-- was given, so it can be shown and withdrawn).
alter table buyers
    add column notes text
        constraint buyers_notes_length check (char_length(notes) between 1 and 4000),
    add column consent_to_contact boolean not null default false,
    add column consent_recorded_at timestamptz,
    add constraint buyers_consent_when
        check (consent_to_contact = (consent_recorded_at is not null)),
    add constraint buyers_email_shape
        check (char_length(email) <= 254 and (email collate "C") like '%_@_%');

comment on column buyers.notes is 'Free text for the agent; personal data (R8.5).';

-- R7.3: a link expires within 30 days of being issued (the default and
-- the most a person may choose).
alter table buyer_links
    add constraint buyer_links_expiry_at_most_30_days
        check (expires_at <= created_at + interval '30 days');
