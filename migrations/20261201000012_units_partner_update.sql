-- What a project partner may change on the owner's units (SPEC R6.1, R6.2,
-- R2.2, R10.3, issue 10).
--
-- `units_update` let any partner — a studio included — change every column
-- of every unit it could see, price too. Now:
--   - the owner organisation updates its units as before (one policy);
--   - a *studio* partner updates nothing (it presents units, read only);
--   - an *agency* partner updates only units in its pool — held by the
--     agency or one of its agents, or in an open-mode project an unassigned
--     unit that is available (to reserve) or that the agency holds an active
--     reservation on (to release) — and, on those, only the reservation,
--     status and assignment fields, and only the transitions the stock
--     rules allow (a trigger: policies cannot compare old and new values,
--     and column grants cannot tell the owner from a partner).
-- The database refuses the rest even if the code asks.

-- How the current organisation partners a project: 'studio', 'agency', or
-- NULL when it is not an active partner. SECURITY DEFINER like
-- app_is_partner, so the policies that call it do not recurse into
-- project_partners' own policy.
create or replace function app_partner_kind(p_org uuid, p_project uuid) returns partner_kind
language sql stable security definer set search_path = public as $$
    select pp.kind from project_partners pp
    where pp.partner_org_id = app_current_org()
      and pp.org_id = p_org
      and pp.project_id = p_project
      and pp.status = 'active';
$$;
revoke all on function app_partner_kind(uuid, uuid) from public;
grant execute on function app_partner_kind(uuid, uuid) to offplan_app;

-- R6.1: whether a unit is in the current (partner agency) organisation's
-- pool for writing. Reads projects and reservations as the owner so the
-- units policy does not depend on their policies.
create or replace function app_unit_in_agency_pool(
    p_org uuid, p_project uuid, p_unit uuid, p_status unit_status,
    p_assigned_org uuid, p_assigned_user_org uuid
) returns boolean
language sql stable security definer set search_path = public as $$
    select app_partner_kind(p_org, p_project) = 'agency'
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
$$;
revoke all on function app_unit_in_agency_pool(uuid, uuid, uuid, unit_status, uuid, uuid) from public;
grant execute on function app_unit_in_agency_pool(uuid, uuid, uuid, unit_status, uuid, uuid)
    to offplan_app;

drop policy units_update on units;
create policy units_update_owner on units for update to offplan_app
    using (org_id = app_current_org())
    with check (org_id = app_current_org());
-- USING is the pool before the change, WITH CHECK the pool after it: a unit
-- can move between the agency and its agents, or be reserved/released, but
-- not be handed outside the agency.
create policy units_update_agency_partner on units for update to offplan_app
    using (app_unit_in_agency_pool(org_id, project_id, id, status,
                                   assigned_org_id, assigned_user_org_id))
    with check (app_unit_in_agency_pool(org_id, project_id, id, status,
                                        assigned_org_id, assigned_user_org_id));

-- The columns and transitions a partner may change. Runs for every update,
-- and checks only sessions that row-level security applies to (the runtime
-- role) acting for an organisation other than the unit's owner; the owner
-- and the operator (migrations, seed: RLS does not apply) are unaffected.
create or replace function units_partner_guard() returns trigger
language plpgsql as $$
begin
    if not row_security_active(tg_relid)
       or old.org_id is not distinct from app_current_org() then
        return new;
    end if;
    -- What a unit *is* belongs to its owner: code, layout, price, currency,
    -- and its place in the schema.
    if (new.org_id, new.project_id, new.id, new.code, new.floor, new.bedrooms, new.area_m2,
        new.price_minor, new.currency, new.created_at)
       is distinct from
       (old.org_id, old.project_id, old.id, old.code, old.floor, old.bedrooms, old.area_m2,
        old.price_minor, old.currency, old.created_at) then
        raise exception 'a partner may change only the reservation, status and assignment of a unit'
            using errcode = 'insufficient_privilege';
    end if;
    -- Reserve and release only; selling and withdrawing are the owner's.
    if new.status is distinct from old.status
       and not (old.status in ('available', 'reserved') and new.status in ('available', 'reserved')) then
        raise exception 'a partner may only reserve or release a unit, not mark it %', new.status
            using errcode = 'insufficient_privilege';
    end if;
    -- R6.3: every change moves the version forward, never back.
    if new.version < old.version then
        raise exception 'a unit''s version never goes back'
            using errcode = 'insufficient_privilege';
    end if;
    return new;
end;
$$;

create trigger units_partner_guard before update on units
    for each row execute function units_partner_guard();
