-- Email verification (issue 10 item 2, SPEC R3.3): a Google identity may be
-- linked to an existing account only when *we* verified that account's
-- address, so password sign-ups prove their address with an emailed link.
-- Single use, stored as SHA-256 only (the token rules of R5.4).
create table email_verifications (
    token_hash bytea primary key check (octet_length(token_hash) = 32),
    user_id uuid not null references users (id) on delete cascade,
    -- The address the link proves. A link for an address the account no
    -- longer has proves nothing, so acceptance compares it with users.email.
    email text collate case_insensitive not null check (char_length(email) between 3 and 254),
    -- 'signup': the link that finishes a sign-up also signs the new person
    -- in (through the one sign-in door, which still asks for a second
    -- factor should the account have one); 'verify': a link asked for
    -- later from the Security page only marks the address verified.
    purpose text not null check (purpose in ('signup', 'verify')),
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    consumed_at timestamptz,
    check (expires_at > created_at)
);
create index email_verifications_user on email_verifications (user_id) where consumed_at is null;
grant select, insert, update on email_verifications to offplan_app;
