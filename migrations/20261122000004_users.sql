-- Users (SPEC R1.1): one global identity per person. Not tenant-owned, so
-- no org_id and no row-level security; the repository never exposes a
-- user's secrets outside the identity module.

create table users (
    id uuid primary key default gen_random_uuid(),
    email text collate case_insensitive not null
        constraint users_email_key unique
        check (char_length(email) between 3 and 254 and (email collate "C") like '%_@_%'),
    email_verified boolean not null default false,
    display_name text not null check (char_length(btrim(display_name)) between 1 and 120),
    -- argon2id PHC string; NULL for Google-only accounts (R3.2, R3.3).
    password_hash text,
    google_subject text constraint users_google_subject_key unique,
    -- TOTP (R3.6): the secret, and the last accepted time step so a code is
    -- accepted at most once.
    totp_secret bytea,
    totp_last_step bigint,
    -- Bumped to revoke every session of the user at once (R3.8).
    auth_epoch bigint not null default 0,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    disabled_at timestamptz,
    -- R3.10: personal data scrubbed; the row stays as the audit pseudonym.
    deleted_at timestamptz
);

create trigger users_updated_at before update on users
    for each row execute function set_updated_at();

-- Ten single-use recovery codes per user, stored hashed (R3.6).
create table user_recovery_codes (
    user_id uuid not null references users (id) on delete cascade,
    code_hash bytea not null,
    used_at timestamptz,
    primary key (user_id, code_hash)
);

grant select, insert, update on users to offplan_app;
grant select, insert, update, delete on user_recovery_codes to offplan_app;
