-- Client records a Studio keeps (SPEC R1.3, R1.5; issue 12 item 2): who
-- to talk to, notes, and archiving instead of deleting, so projects that
-- name a client keep their reference (the composite key from projects).
-- Row-level security is unchanged: the tenant policy of
-- 20261122000007_clients.sql covers the new columns.

alter table clients
    -- The person at the client (personal data, R8.5: never in audit metadata).
    add column contact_name text
        constraint clients_contact_name_length
        check (char_length(btrim(contact_name)) between 1 and 200),
    -- Free text for the studio's team; also kept out of audit metadata.
    add column notes text
        constraint clients_notes_length check (char_length(notes) between 1 and 2000),
    -- Archived clients leave the list and the project form; nothing is
    -- deleted. Who archived it, for the record page.
    add column archived_at timestamptz,
    add column archived_by_user_id uuid references users (id),
    add constraint clients_archived_by_when
        check ((archived_at is null) = (archived_by_user_id is null)),
    -- RFC 5321's limit, and the same shape check as users.email (LIKE needs
    -- a deterministic collation).
    add constraint clients_contact_email_shape
        check (char_length(contact_email) <= 254 and (contact_email collate "C") like '%_@_%');

comment on column clients.contact_name is 'The person at the client; personal data (R8.5).';
comment on column clients.notes is 'Free text for the studio; may hold personal data (R8.5).';
comment on column clients.archived_at is 'Set when the studio archives the client; null while active.';
