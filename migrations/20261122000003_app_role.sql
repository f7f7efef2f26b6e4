-- Wall 3 (DESIGN.md): the runtime role and the settings policies read.
--
-- `offplan_app` owns nothing and is neither superuser nor BYPASSRLS, so every
-- row-level security policy applies to it. The server connects as the
-- migration owner and `SET ROLE offplan_app` on every pooled connection;
-- migrations and operator commands run as the owner. Roles are
-- cluster-wide, so creation tolerates another database having made it.

do $$
begin
    create role offplan_app nologin nosuperuser nocreatedb nocreaterole noinherit nobypassrls;
exception
    when duplicate_object or unique_violation then null;
end
$$;

-- The owner must be a member to SET ROLE to it.
do $$
begin
    execute format('grant offplan_app to %I', current_user);
exception
    when duplicate_object then null;
end
$$;

grant usage on schema public to offplan_app;

-- Emails compare case-insensitively (R1.1, R5.6) with a nondeterministic
-- ICU collation rather than lower() copies.
create collation if not exists case_insensitive (
    provider = icu, locale = 'und-u-ks-level2', deterministic = false
);

-- The tenant and user of the current transaction, set by the repository's
-- scoped handle with set_config(..., true) (transaction-local). NULL when
-- unset, so policies match nothing rather than erroring.
create or replace function app_current_org() returns uuid
language sql stable parallel safe as $$
    select nullif(current_setting('app.org_id', true), '')::uuid;
$$;

create or replace function app_current_user() returns uuid
language sql stable parallel safe as $$
    select nullif(current_setting('app.user_id', true), '')::uuid;
$$;

grant execute on function app_current_org(), app_current_user() to offplan_app;

-- organisations predates the role: its grants and policies.
alter table organisations enable row level security;
alter table organisations force row level security;
-- The public brand (name, colour) is shown on every subdomain before anyone
-- signs in; reading organisations is open. Changing one needs its scope.
create policy organisations_read on organisations for select to offplan_app using (true);
create policy organisations_create on organisations for insert to offplan_app
    with check (id = app_current_org());
create policy organisations_update on organisations for update to offplan_app
    using (id = app_current_org()) with check (id = app_current_org());
grant select, insert, update on organisations to offplan_app;
