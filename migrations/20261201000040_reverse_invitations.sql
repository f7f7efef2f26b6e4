-- Reverse invitations (SPEC R5.3, issue 12 item 4): a Studio invites its
-- client's developer to the platform. The invitation rows, their partial
-- unique index and the token policy exist (20261122000014_invitations.sql,
-- 20261122000022_team.sql); this adds what the legal basis records and what
-- the Free Guest organisation may then see.

-- §1.4.C: which wording the inviter confirmed (a version id of the fixed
-- text, e.g. 'reverse-contact-v1'), beside who (invited_by_user_id) and
-- when (legal_basis_confirmed_at).
alter table invitations
    add column legal_basis_wording text
        constraint invitations_legal_basis_wording_length
        check (char_length(legal_basis_wording) between 1 and 64),
    add constraint invitations_reverse_wording
        check (kind <> 'reverse' or legal_basis_wording is not null);

-- The studio's funnel lists its reverse invitations, newest first.
create index invitations_reverse on invitations (org_id, created_at desc)
    where kind = 'reverse';

-- R5.3: the organisation a client joined as sees the studio's projects for
-- that client, read-only. True when the current organisation is the linked
-- organisation of the project's client. SECURITY DEFINER for the same
-- reason as app_is_partner: the policy on projects must read a row of the
-- studio's clients, which the client's organisation may not read itself.
create or replace function app_is_client_of(p_org uuid, p_client uuid) returns boolean
language sql stable security definer set search_path = public as $$
    select p_client is not null and exists (
        select 1 from clients c
        where c.org_id = p_org
          and c.id = p_client
          and c.linked_org_id = app_current_org()
    );
$$;
revoke all on function app_is_client_of(uuid, uuid) from public;
grant execute on function app_is_client_of(uuid, uuid) to offplan_app;

-- Read only: there is no insert or update policy for it.
create policy projects_client_read on projects for select to offplan_app
    using (app_is_client_of(org_id, client_id));

-- "Which clients link to me" stays cheap for the policy above.
create index clients_linked_org on clients (linked_org_id, org_id, id)
    where linked_org_id is not null;
