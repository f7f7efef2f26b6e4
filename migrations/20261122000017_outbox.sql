-- The email outbox (DESIGN.md): messages are inserted in the same
-- transaction as the change that causes them, and a worker delivers them
-- (FOR UPDATE SKIP LOCKED, so two servers never send one twice). Not
-- tenant data: password-reset mail has no organisation.

create table outbox (
    id uuid primary key default gen_random_uuid(),
    to_email text collate case_insensitive not null,
    subject text not null,
    body_text text not null,
    body_html text,
    created_at timestamptz not null default now(),
    send_after timestamptz not null default now(),
    sent_at timestamptz,
    attempts integer not null default 0 check (attempts >= 0),
    last_error text
);

create index outbox_due on outbox (send_after) where sent_at is null;

grant select, insert, update on outbox to offplan_app;
