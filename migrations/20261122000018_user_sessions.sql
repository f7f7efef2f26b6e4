-- "Where you're signed in" (SPEC R3.4, R3.8): one row per browser session,
-- beside the session store's own records. Revoking a row ends that session;
-- bumping users.auth_epoch ends them all.

create table user_sessions (
    id uuid primary key default gen_random_uuid(),
    user_id uuid not null references users (id) on delete cascade,
    -- SHA-256 of the session store's id, never the id itself.
    session_id_hash bytea not null constraint user_sessions_session_key unique
        check (octet_length(session_id_hash) = 32),
    auth_epoch bigint not null,
    created_at timestamptz not null default now(),
    last_seen_at timestamptz not null default now(),
    ip inet,
    user_agent text check (char_length(user_agent) <= 400),
    revoked_at timestamptz
);

create index user_sessions_user on user_sessions (user_id) where revoked_at is null;

grant select, insert, update, delete on user_sessions to offplan_app;
