-- Who may change a buyer link, and what (SPEC R7.3, R5.4, R10.3, issue 10).
--
-- `buyer_links_update` let either side change any column: the unit's owner
-- could rewrite a partner's token or buyer, the issuer could un-revoke a
-- link. A link lives in the issuing organisation (the buyer's, `org_id`);
-- the unit's owner is named in `unit_org_id`. Now:
--   - the issuer updates its own links, but what a link *is* (token, buyer,
--     unit, who issued it, when) never changes — a new link is a new row
--     (R7.3 forced rotation) — a revocation is final, and an expiry can be
--     brought forward, never pushed back;
--   - the unit's owner, when it is another organisation, may only revoke a
--     live link on its unit because it reassigned the unit or sold it
--     (R7.3) — nothing else.

drop policy buyer_links_update on buyer_links;
create policy buyer_links_update_issuer on buyer_links for update to offplan_app
    using (org_id = app_current_org())
    with check (org_id = app_current_org());
-- The owner's side sees only live links (a revoked one is history) and must
-- leave the row revoked.
create policy buyer_links_revoke_by_unit_owner on buyer_links for update to offplan_app
    using (unit_org_id = app_current_org() and org_id <> app_current_org()
           and revoked_at is null)
    with check (unit_org_id = app_current_org() and org_id <> app_current_org()
                and revoked_at is not null and revoke_reason in ('reassigned', 'sold'));

-- The columns each side may change. Only sessions that row-level security
-- applies to (the runtime role) are checked; the operator is not.
create or replace function buyer_links_guard() returns trigger
language plpgsql as $$
begin
    if not row_security_active(tg_relid) then
        return new;
    end if;
    if (new.org_id, new.id, new.buyer_id, new.unit_org_id, new.project_id, new.unit_id,
        new.token_hash, new.created_by_user_id, new.created_at)
       is distinct from
       (old.org_id, old.id, old.buyer_id, old.unit_org_id, old.project_id, old.unit_id,
        old.token_hash, old.created_by_user_id, old.created_at) then
        raise exception 'a buyer link''s token, buyer and unit never change; issue a new link'
            using errcode = 'insufficient_privilege';
    end if;
    if old.revoked_at is not null
       and (new.revoked_at, new.revoke_reason) is distinct from (old.revoked_at, old.revoke_reason) then
        raise exception 'a revoked buyer link stays revoked'
            using errcode = 'insufficient_privilege';
    end if;
    if new.expires_at > old.expires_at then
        raise exception 'a buyer link''s expiry can be brought forward, not extended'
            using errcode = 'insufficient_privilege';
    end if;
    -- The unit owner's side: the revocation and nothing else.
    if old.org_id is distinct from app_current_org()
       and (new.expires_at, new.last_opened_at) is distinct from (old.expires_at, old.last_opened_at) then
        raise exception 'the unit''s owner may only revoke a partner''s buyer link'
            using errcode = 'insufficient_privilege';
    end if;
    return new;
end;
$$;

create trigger buyer_links_guard before update on buyer_links
    for each row execute function buyer_links_guard();
