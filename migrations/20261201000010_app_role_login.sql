-- Wall 3 (SPEC R10.3, issue 10): the web server logs in AS `offplan_app`.
--
-- Until now the server connected as the migration owner and ran
-- `SET ROLE offplan_app` on every pooled connection, so one `RESET ROLE`
-- (or `SET ROLE postgres`) in any query gave back the owner: no row-level
-- security, UPDATE on the audit log. A session that logs in as
-- `offplan_app` has no other role to return to: it is a member of nothing,
-- so `RESET ROLE` is a no-op and `SET ROLE <anything else>` is refused.
--
-- Why `offplan_app` itself and not a separate login role that is a member
-- of it: one role is one thing to check. The server refuses to start when
-- its session user is a member of any other role, owns anything, or has a
-- privileged attribute (`db::Db::connect`); a login role "only a member of
-- offplan_app" passes that check too, for platforms that name the login
-- user themselves.
--
-- No password here: the local cluster trusts 127.0.0.1, and a password in a
-- migration would be in the repository. In production the operator sets
-- one (`alter role offplan_app password '…'`, docs/tenancy.md) and puts
-- it in DATABASE_URL.
--
-- Roles are cluster-wide and test databases migrate in parallel on one
-- cluster, so this tolerates a role that is already LOGIN and a concurrent
-- migration updating the same pg_authid row.
do $$
begin
    if not (select rolcanlogin from pg_roles where rolname = 'offplan_app') then
        begin
            -- NOINHERIT stays: the role inherits from no one.
            alter role offplan_app login;
        exception
            -- "tuple concurrently updated": another database's migration
            -- made it LOGIN first; checked below.
            when internal_error then null;
        end;
    end if;
    if not (select rolcanlogin from pg_roles where rolname = 'offplan_app') then
        raise exception 'offplan_app could not be made a login role';
    end if;
end
$$;

-- Without CONNECT on the database a login role cannot open a session where
-- PUBLIC's default CONNECT has been revoked (a hardened cluster).
do $$
begin
    execute format('grant connect on database %I to offplan_app', current_database());
end
$$;
