-- The row-level-security helpers as PL/pgSQL (issue 13's benchmark).
--
-- A SECURITY DEFINER function is never inlined into the query that calls
-- it, and a LANGUAGE sql one that is not inlined is planned again on every
-- call. The policies call these once per row they check (a partner's read
-- of a project, its units, presentations and each media row), so a buyer's
-- page spent about half of its database time planning the same small
-- queries: `app_buyer_page` ran at 1,595 calls/s with two clients
-- (pgbench, offplan_bench_buyer) and at 2,967 with these bodies. PL/pgSQL
-- keeps each statement's plan for the session. Same names, arguments,
-- results, volatility, owner and search_path: what each policy admits is
-- unchanged (tests/integration/walls.rs and partners.rs).

create or replace function app_is_partner(p_org uuid, p_project uuid) returns boolean
language plpgsql stable security definer set search_path = public as $$
begin
    return exists (
        select 1 from project_partners pp
        where pp.partner_org_id = app_current_org()
          and pp.org_id = p_org
          and pp.project_id = p_project
          and pp.status = 'active');
end $$;

create or replace function app_partner_kind(p_org uuid, p_project uuid) returns partner_kind
language plpgsql stable security definer set search_path = public as $$
begin
    return (select pp.kind from project_partners pp
            where pp.partner_org_id = app_current_org()
              and pp.org_id = p_org
              and pp.project_id = p_project
              and pp.status = 'active');
end $$;

create or replace function app_is_client_of(p_org uuid, p_client uuid) returns boolean
language plpgsql stable security definer set search_path = public as $$
begin
    return p_client is not null and exists (
        select 1 from clients c
        where c.org_id = p_org
          and c.id = p_client
          and c.linked_org_id = app_current_org());
end $$;

create or replace function app_may_present(p_org uuid, p_project uuid) returns boolean
language plpgsql stable security definer set search_path = public as $$
begin
    return p_org = app_current_org()
        or coalesce(app_partner_kind(p_org, p_project) = 'studio', false);
end $$;

create or replace function app_unit_in_agency_pool(
    p_org uuid, p_project uuid, p_unit uuid, p_status unit_status,
    p_assigned_org uuid, p_assigned_user_org uuid
) returns boolean
language plpgsql stable security definer set search_path = public as $$
begin
    return app_partner_kind(p_org, p_project) = 'agency'
       and (
           -- Closed pool and open mode alike: what the agency holds.
           p_assigned_org = app_current_org()
           or p_assigned_user_org = app_current_org()
           -- Open mode: any unassigned unit that is available, or that the
           -- agency itself has reserved (so it can release it).
           or (p_assigned_org is null and p_assigned_user_org is null
               and exists (select 1 from projects p
                           where p.org_id = p_org and p.id = p_project
                             and p.stock_mode = 'open')
               and (p_status = 'available'
                    or exists (select 1 from reservations r
                               where r.org_id = p_org and r.unit_id = p_unit
                                 and r.status = 'active'
                                 and r.buyer_org_id = app_current_org())))
       );
end $$;
