-- Invitations (SPEC R5): personal (to the team, with a role), forward (an
-- organisation to a project as studio/agency), reverse (a studio's client
-- to the platform). Tokens are stored as SHA-256 only (R5.4); accepting or
-- declining consumes the row atomically.
--
-- At most one *pending* invitation per (organisation, email) — per project
-- for forward, per client for reverse — is a partial unique index. Expired
-- rows stay `pending` and are refreshed in place by a re-invite (INSERT ...
-- ON CONFLICT DO UPDATE), so they never block a fresh one; declined and
-- revoked rows are outside the index.

create type invitation_kind as enum ('personal', 'forward', 'reverse');
create type invitation_status as enum ('pending', 'accepted', 'declined', 'revoked');

create table invitations (
    org_id uuid not null references organisations (id) on delete restrict,
    id uuid not null default gen_random_uuid(),
    kind invitation_kind not null,
    email text collate case_insensitive not null
        check (char_length(email) between 3 and 254 and (email collate "C") like '%_@_%'),
    -- personal: the role granted; never owner (ownership moves only by transfer, R4.6).
    role member_role check (role <> 'owner'),
    -- forward: the project and the partner role; optionally an existing organisation.
    project_id uuid,
    partner_kind partner_kind,
    partner_org_id uuid references organisations (id),
    -- reverse: the client, and the inviter's confirmation of a legal basis (§1.4.C).
    client_id uuid,
    legal_basis_confirmed_at timestamptz,
    token_hash bytea not null constraint invitations_token_hash_key unique
        check (octet_length(token_hash) = 32),
    invited_by_user_id uuid not null,
    status invitation_status not null default 'pending',
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    opened_at timestamptz,
    consumed_at timestamptz,
    consumed_by_user_id uuid references users (id),
    revoked_at timestamptz,
    primary key (org_id, id),
    foreign key (org_id, invited_by_user_id) references memberships (org_id, user_id),
    foreign key (org_id, project_id) references projects (org_id, id),
    foreign key (org_id, client_id) references clients (org_id, id),
    constraint invitations_kind_shape check (case kind
        when 'personal' then role is not null and project_id is null and client_id is null
        when 'forward' then project_id is not null and partner_kind is not null and role is null
        when 'reverse' then client_id is not null and legal_basis_confirmed_at is not null
                            and role is null
    end),
    check ((status in ('accepted', 'declined')) = (consumed_at is not null)),
    check ((status = 'revoked') = (revoked_at is not null)),
    check (expires_at > created_at)
);

create unique index invitations_one_pending_personal on invitations (org_id, email)
    where status = 'pending' and kind = 'personal';
create unique index invitations_one_pending_forward on invitations (org_id, project_id, email)
    where status = 'pending' and kind = 'forward';
create unique index invitations_one_pending_reverse on invitations (org_id, client_id, email)
    where status = 'pending' and kind = 'reverse';

alter table invitations enable row level security;
alter table invitations force row level security;
create policy invitations_tenant on invitations to offplan_app
    using (org_id = app_current_org()) with check (org_id = app_current_org());
grant select, insert, update on invitations to offplan_app;
