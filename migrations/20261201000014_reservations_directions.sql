-- Who may do what with a reservation (SPEC R6.2, R6.3, R2.2, R10.3,
-- issue 10).
--
-- `reservations_access` was FOR ALL in both directions: the unit's owner
-- could insert reservations naming a partner's buyer, and either side could
-- rewrite any column (the buyer, the unit, who reserved). A reservation
-- lives in the unit owner's tenant (`org_id`); the organisation that made it
-- is the buyer's (`buyer_org_id`: the owner itself, or an agency partner).
-- Now:
--   - both sides read it (as before);
--   - only the buyer's organisation makes one, for its own buyer, and only
--     as the owner or an *agency* partner (a studio presents, it does not
--     sell);
--   - the agency that made it manages it: it may release it;
--   - the owner may read and cancel (release) any reservation on its units,
--     and convert one (the sale);
--   - what a reservation *is* (unit, buyer, who made it, when) never
--     changes, and an ended reservation is history.

drop policy reservations_access on reservations;

create policy reservations_read on reservations for select to offplan_app
    using (org_id = app_current_org()
           or (buyer_org_id = app_current_org() and app_is_partner(org_id, project_id)));

create policy reservations_insert on reservations for insert to offplan_app
    with check (buyer_org_id = app_current_org()
                and (org_id = app_current_org()
                     or app_partner_kind(org_id, project_id) = 'agency'));

create policy reservations_update_owner on reservations for update to offplan_app
    using (org_id = app_current_org())
    with check (org_id = app_current_org());

create policy reservations_update_maker on reservations for update to offplan_app
    using (buyer_org_id = app_current_org() and org_id <> app_current_org()
           and app_partner_kind(org_id, project_id) = 'agency')
    with check (buyer_org_id = app_current_org() and org_id <> app_current_org()
                and app_partner_kind(org_id, project_id) = 'agency');

-- The columns and transitions each side may change. Only sessions that
-- row-level security applies to (the runtime role) are checked; the
-- operator is not.
create or replace function reservations_guard() returns trigger
language plpgsql as $$
begin
    if not row_security_active(tg_relid) then
        return new;
    end if;
    if (new.org_id, new.id, new.project_id, new.unit_id, new.buyer_org_id, new.buyer_id,
        new.reserved_by_user_id, new.created_at)
       is distinct from
       (old.org_id, old.id, old.project_id, old.unit_id, old.buyer_org_id, old.buyer_id,
        old.reserved_by_user_id, old.created_at) then
        raise exception 'a reservation''s unit and buyer never change; release it and make a new one'
            using errcode = 'insufficient_privilege';
    end if;
    if (new.status, new.ended_at) is not distinct from (old.status, old.ended_at) then
        return new;
    end if;
    if old.status <> 'active' then
        raise exception 'an ended reservation is history'
            using errcode = 'insufficient_privilege';
    end if;
    -- Converting is the sale, the owner's act; releasing is open to both.
    if new.status = 'converted' and old.org_id is distinct from app_current_org() then
        raise exception 'only the unit''s owner converts a reservation'
            using errcode = 'insufficient_privilege';
    end if;
    return new;
end;
$$;

create trigger reservations_guard before update on reservations
    for each row execute function reservations_guard();
