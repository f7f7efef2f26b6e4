-- Idempotency keys: a retried request with the same key replays the stored
-- response instead of acting twice. Written in the same transaction as the
-- change.

create table idempotency_keys (
    org_id uuid not null,
    user_id uuid not null,
    key text not null check (char_length(key) between 8 and 100),
    request_hash bytea not null check (octet_length(request_hash) = 32),
    response_status smallint not null,
    response_body jsonb not null,
    created_at timestamptz not null default now(),
    primary key (org_id, user_id, key),
    foreign key (org_id, user_id) references memberships (org_id, user_id)
);

alter table idempotency_keys enable row level security;
alter table idempotency_keys force row level security;
create policy idempotency_keys_tenant on idempotency_keys to offplan_app
    using (org_id = app_current_org()) with check (org_id = app_current_org());
grant select, insert, delete on idempotency_keys to offplan_app;
