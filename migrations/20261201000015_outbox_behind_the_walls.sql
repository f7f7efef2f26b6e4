-- The outbox behind the walls (SPEC R5.4, R3.9, R10.3, issue 10).
--
-- outbox.body_text holds live links — invitations, password resets — and
-- the runtime role could SELECT and UPDATE every row forever. Now:
--   - the runtime role may only INSERT mail (in the transaction of the
--     change that causes it, as before); it cannot read a row back;
--   - delivery claims due messages through outbox_claim_due, a SECURITY
--     DEFINER function that returns unsent, unredacted, due mail only, and
--     marks each with outbox_mark_sent / outbox_mark_failed;
--   - outbox_purge replaces the body of mail delivered more than a short
--     window ago, and of mail never delivered once its links have expired,
--     and later deletes the row (the address is personal data);
--   - the development-only /dev/outbox page reads through the owner's
--     connection, which the server holds only when APP_ENV=development.

-- When the links in a message stop working: after that an undelivered body
-- is useless and is removed. 30 days is the longest link we mail (reverse
-- invitations, R5.3); queue_email_valid_for sets a shorter one.
alter table outbox
    add column links_expire_at timestamptz not null default now() + interval '30 days',
    -- Set when the body was replaced; a redacted message is never delivered.
    add column redacted_at timestamptz;

-- The purge's two scans.
create index outbox_sent on outbox (sent_at) where sent_at is not null and redacted_at is null;
create index outbox_links_expire on outbox (links_expire_at) where sent_at is null and redacted_at is null;

revoke select, update, delete on outbox from offplan_app;
grant insert on outbox to offplan_app;

-- Belt and braces: were a SELECT ever granted again, no policy would let a
-- row through. Inserting is allowed only as fresh, unsent mail.
alter table outbox enable row level security;
alter table outbox force row level security;
create policy outbox_queue on outbox for insert to offplan_app
    with check (sent_at is null and redacted_at is null and attempts = 0);

-- Claims up to p_limit (at most 100) due messages for the caller's
-- transaction: FOR UPDATE SKIP LOCKED, so two servers never send one
-- message twice; the locks last until the caller commits.
create or replace function outbox_claim_due(p_limit integer)
returns table (id uuid, to_email text, subject text, body_text text, created_at timestamptz)
language sql volatile security definer set search_path = public as $$
    select o.id, o.to_email::text, o.subject, o.body_text, o.created_at
    from outbox o
    where o.sent_at is null and o.redacted_at is null and o.send_after <= now()
    order by o.send_after
    limit least(greatest(p_limit, 0), 100)
    for update of o skip locked;
$$;

create or replace function outbox_mark_sent(p_id uuid) returns void
language sql volatile security definer set search_path = public as $$
    update outbox set sent_at = now(), attempts = attempts + 1
    where id = p_id and sent_at is null;
$$;

-- Back off: 1, 2, 4 … minutes, at most an hour. The error text is bounded.
create or replace function outbox_mark_failed(p_id uuid, p_error text) returns void
language sql volatile security definer set search_path = public as $$
    update outbox
    set attempts = attempts + 1,
        last_error = left(p_error, 500),
        send_after = now() + least(interval '1 hour', interval '1 minute' * power(2, attempts))
    where id = p_id and sent_at is null;
$$;

-- Replaces the body of mail sent more than p_sent_window ago and of unsent
-- mail whose links have expired; deletes redacted rows after 30 days.
-- Returns how many bodies it replaced. A negative window counts as zero.
create or replace function outbox_purge(p_sent_window interval) returns bigint
language plpgsql volatile security definer set search_path = public as $$
declare
    redacted bigint;
begin
    with gone as (
        update outbox
        set body_text = case when sent_at is not null
                             then '[removed after delivery]'
                             else '[removed: never delivered, and its links have expired]' end,
            body_html = null,
            redacted_at = now()
        where redacted_at is null
          and ((sent_at is not null
                and sent_at < now() - greatest(p_sent_window, interval '0 seconds'))
               or (sent_at is null and links_expire_at <= now()))
        returning 1
    )
    select count(*) into redacted from gone;
    delete from outbox where redacted_at < now() - interval '30 days';
    return redacted;
end;
$$;

revoke all on function outbox_claim_due(integer), outbox_mark_sent(uuid),
    outbox_mark_failed(uuid, text), outbox_purge(interval) from public;
grant execute on function outbox_claim_due(integer), outbox_mark_sent(uuid),
    outbox_mark_failed(uuid, text), outbox_purge(interval) to offplan_app;
