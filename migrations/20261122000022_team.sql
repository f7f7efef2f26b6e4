-- Settings → Team, personal invitations and the audit log's surfaces
-- (SPEC R4, R5.1, R5.4–R5.6, R8.1–R8.4).

-- R5.4: an invitation is found by its token before anyone knows which
-- organisation it belongs to. Rather than a security-definer function that
-- sidesteps row-level security, a transaction that has proven it holds the
-- token (by setting app.token_hash to the token's SHA-256) may read that one
-- row; everything it then changes runs with the invitation's organisation
-- set as the tenant, under the ordinary policy.
create or replace function app_current_token_hash() returns bytea
language sql stable parallel safe as $$
    select decode(nullif(current_setting('app.token_hash', true), ''), 'hex');
$$;
grant execute on function app_current_token_hash() to offplan_app;

create policy invitations_by_token on invitations for select to offplan_app
    using (token_hash = app_current_token_hash());

-- R4.5: resending keeps the row and its token hash changes; the count is
-- shown to the admin and bounds how often one address is mailed.
alter table invitations
    add column sent_count integer not null default 1 check (sent_count >= 1),
    add column last_sent_at timestamptz not null default now();

-- "Pending invitations" and "recently removed" on the Team page (R4.1).
create index invitations_pending on invitations (org_id, created_at desc)
    where status = 'pending' and kind = 'personal';
create index memberships_removed on memberships (org_id, removed_at desc)
    where status = 'removed';

-- R4.6 target gate: an organisation may require a second factor of its
-- Owner; a transfer to an Admin without one is then refused.
alter table organisations
    add column require_second_factor boolean not null default false;

-- R8.4: the audit log filters by target too.
create index audit_events_target on audit_events (org_id, target_type, target_id, seq desc)
    where target_id is not null;
