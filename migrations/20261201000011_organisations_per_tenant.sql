-- Organisations are tenant data again (SPEC R10.3, R2.2, issue 10).
--
-- `organisations_read using (true)` let any scope read every tenant's row:
-- plan, payment provider and external customer id, owner and referrer. The
-- table is now readable only by the organisation itself (its scope) and by
-- its own active members (the organisation picker runs with only the user
-- set). What every visitor may see — the public brand and profile shown on
-- `<org>.<base>` before anyone signs in (R7.1, R7.2) — is a view with
-- exactly those columns.

drop policy organisations_read on organisations;
create policy organisations_read on organisations for select to offplan_app
    using (
        id = app_current_org()
        -- The picker (R3.5): memberships' own policy shows a person their
        -- own rows, so this reads nothing the user could not already see.
        or exists (
            select 1 from memberships m
            where m.org_id = organisations.id
              and m.user_id = app_current_user()
              and m.status = 'active'
        )
    );

-- The public face of every organisation that is not closed: what host →
-- brand resolution and the branded home render, nothing else. The view
-- runs with its owner's rights (the migration owner, which bypasses row-
-- level security, docs/tenancy.md), so it sees every row; it exposes only
-- the columns listed. security_barrier keeps a caller's own predicates
-- (which could be leaky functions) from running before the view's filter.
create view public_org_brands with (security_barrier = true) as
    select id, name, subdomain, status, brand_colour, tagline, country, client_types,
           created_at
    from organisations
    where status <> 'closed';

comment on view public_org_brands is
    'Public brand and profile of every organisation that is not closed (R7.1, R7.2). The only cross-tenant read of organisations the runtime role has.';

revoke all on public_org_brands from public;
grant select on public_org_brands to offplan_app;

-- The live availability check on the sign-up form (R3.1) must see every
-- subdomain, closed organisations included (a closed organisation keeps its
-- name: the unique constraint would refuse it anyway). Answers a boolean
-- and nothing else. SECURITY DEFINER for the same reason as the view.
create or replace function app_subdomain_taken(p_subdomain text) returns boolean
language sql stable security definer set search_path = public as $$
    select exists (select 1 from organisations where subdomain = p_subdomain);
$$;
revoke all on function app_subdomain_taken(text) from public;
grant execute on function app_subdomain_taken(text) to offplan_app;
