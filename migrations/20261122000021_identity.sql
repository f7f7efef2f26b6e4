-- Identity (SPEC §3): the session store, security events, password resets,
-- shared rate-limit counters and idempotent provisioning.

-- The tower-sessions Postgres store's table, created here (not by the
-- store's own `migrate`) so that the runtime role needs no CREATE right.
-- The record holds only the id of a `user_sessions` row (and, during
-- sign-in, the Google state and the pending second factor).
create schema if not exists tower_sessions;
create table tower_sessions.session (
    id text primary key not null,
    data bytea not null,
    expiry_date timestamptz not null
);
create index tower_sessions_expiry on tower_sessions.session (expiry_date);
grant usage on schema tower_sessions to offplan_app;
grant select, insert, update, delete on tower_sessions.session to offplan_app;

-- A `user_sessions` row is the sign-in itself: the session record names it
-- by id, and every request checks it is neither revoked nor from an older
-- auth epoch (R3.8). The hash of the store's id is not needed for that.
alter table user_sessions drop column session_id_hash;

-- A recovery-code sign-in clears TOTP and requires a new enrolment (R3.6).
alter table users add column totp_reenrol_required boolean not null default false;

-- Security events of a person, not of an organisation (sign-in, failed
-- sign-in, password change, TOTP changes, operator lookups). Append-only
-- for the application, like the audit log. Organisation events go to
-- audit_events.
create table security_events (
    id uuid primary key default gen_random_uuid(),
    user_id uuid references users (id),
    occurred_at timestamptz not null default now(),
    kind text not null check (kind ~ '^[a-z][a-z_]*(\.[a-z][a-z_]*)+$'),
    ip inet,
    user_agent text check (char_length(user_agent) <= 400),
    metadata jsonb not null default '{}' check (jsonb_typeof(metadata) = 'object')
);
create index security_events_user on security_events (user_id, occurred_at desc);
grant select, insert on security_events to offplan_app;

-- Password reset (R3.9): single-use, one hour, stored as SHA-256 only and
-- consumed atomically (DESIGN.md, tokens).
create table password_resets (
    token_hash bytea primary key check (octet_length(token_hash) = 32),
    user_id uuid not null references users (id) on delete cascade,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    consumed_at timestamptz,
    check (expires_at > created_at)
);
create index password_resets_user on password_resets (user_id) where consumed_at is null;
grant select, insert, update on password_resets to offplan_app;

-- Rate-limit counters (R3.7), shared by every app server: fixed windows,
-- one row per bucket and window. Unlogged: losing counters in a crash is
-- acceptable, and writes stay cheap.
create unlogged table rate_limit_hits (
    bucket text not null check (char_length(bucket) <= 300),
    window_start timestamptz not null,
    hits integer not null check (hits >= 1),
    primary key (bucket, window_start)
);
grant select, insert, update, delete on rate_limit_hits to offplan_app;
