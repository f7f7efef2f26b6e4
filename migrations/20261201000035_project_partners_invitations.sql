-- Forward invitations and project partners (SPEC R1.7, R5.2, R8.1; issue 12
-- item 3).
--
-- 1. A forward invitation names either the person who will administer the
--    partner (an email) or an existing organisation (by its subdomain, then
--    its Owner and Admins are mailed). The latter has no single address, so
--    the email may be empty for exactly that shape, and one pending
--    invitation per (project, organisation) is a partial unique index like
--    the one per (project, email).
alter table invitations alter column email drop not null;
alter table invitations add constraint invitations_email_or_partner_org
    check (email is not null or (kind = 'forward' and partner_org_id is not null));
create unique index invitations_one_pending_forward_org
    on invitations (org_id, project_id, partner_org_id)
    where status = 'pending' and kind = 'forward' and partner_org_id is not null;
-- Project Settings → Partners lists the project's pending invitations.
create index invitations_pending_forward on invitations (org_id, project_id, created_at desc)
    where status = 'pending' and kind = 'forward';

-- 2. Who admitted a partner, from which invitation, and who removed it.
alter table project_partners
    add column invitation_id uuid,
    add column invited_by_user_id uuid,
    add column removed_by_user_id uuid,
    add foreign key (org_id, invitation_id) references invitations (org_id, id),
    add foreign key (org_id, invited_by_user_id) references memberships (org_id, user_id),
    add foreign key (org_id, removed_by_user_id) references memberships (org_id, user_id),
    add check (removed_by_user_id is null or status = 'removed');

-- 3. Units a removed partner held are set aside, not lost: the assignment is
--    cleared and who held it kept, for the project's managers to reassign
--    (the triage view comes with the allocation board).
alter table units
    add column set_aside_at timestamptz,
    add column set_aside_from_org_id uuid,
    add column set_aside_from_user_id uuid,
    add constraint units_set_aside_shape
        check ((set_aside_at is null) = (set_aside_from_org_id is null)),
    add constraint units_set_aside_user_shape
        check (set_aside_from_user_id is null or set_aside_from_org_id is not null);
create index units_set_aside on units (org_id, project_id) where set_aside_at is not null;

-- 4. Mailing an existing organisation's Owner and Admins about a forward
--    invitation. The runtime role cannot read another organisation's
--    members (nor their addresses), so the mail is queued here, as the
--    owner, and no address is returned. It refuses unless the current
--    organisation has just created a pending forward invitation to that
--    organisation: the database does not mail strangers on request.
create or replace function app_mail_partner_admins(
    p_partner uuid, p_subject text, p_body text, p_valid_days integer
) returns integer
language plpgsql volatile security definer set search_path = public as $$
declare
    sent integer;
begin
    if not exists (
        select 1 from invitations i
        where i.org_id = app_current_org() and i.kind = 'forward'
          and i.partner_org_id = p_partner and i.status = 'pending'
          and i.created_at > now() - interval '1 minute'
    ) then
        raise exception 'no fresh forward invitation to %', p_partner
            using errcode = '42501';
    end if;
    insert into outbox (to_email, subject, body_text, links_expire_at)
    select u.email, p_subject, p_body, now() + make_interval(days => p_valid_days)
    from memberships m
    join users u on u.id = m.user_id
    where m.org_id = p_partner and m.status = 'active' and m.role in ('owner', 'admin')
      and u.disabled_at is null and u.deleted_at is null;
    get diagnostics sent = row_count;
    return sent;
end;
$$;
revoke all on function app_mail_partner_admins(uuid, text, text, integer) from public;
grant execute on function app_mail_partner_admins(uuid, text, text, integer) to offplan_app;
