-- R2.3, "never zero": the organisation names its Owner, and the reference
-- includes the role and status. Demoting, removing or deleting the Owner
-- would leave the organisation pointing at a row that no longer exists, so
-- the database refuses it under any interleaving. The check is deferred to
-- commit so that creating an organisation (org, then membership) and
-- transferring ownership (both rows, then the pointer) each fit in one
-- transaction. Together with memberships_one_owner: exactly one.

alter table organisations
    add column owner_user_id uuid not null,
    add column owner_role member_role not null default 'owner'
        check (owner_role = 'owner'),
    add column owner_status member_status not null default 'active'
        check (owner_status = 'active'),
    add constraint organisations_owner_fkey
        foreign key (id, owner_user_id, owner_role, owner_status)
        references memberships (org_id, user_id, role, status)
        -- NO ACTION, not RESTRICT: only NO ACTION can wait for commit.
        on update no action on delete no action
        deferrable initially deferred,
    -- R9: who referred this organisation (attribution is by user).
    add column referred_by_user_id uuid references users (id);

comment on column organisations.owner_role is
    'Always owner: part of the foreign key that makes an ownerless organisation impossible (R2.3).';
