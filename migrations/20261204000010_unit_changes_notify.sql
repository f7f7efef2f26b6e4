-- Live status (SPEC R6.4; issue 14 item 4): a change to a unit notifies
-- every app server's listener (`offplan::db::live`) at commit. The payload
-- is the project's id and nothing else; a board that hears it re-reads
-- itself through its own scope. PostgreSQL folds identical notifications
-- of one transaction, so a change of many units is one message.
create function app_notify_unit_change() returns trigger
language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        perform pg_notify('unit_changes', old.project_id::text);
    else
        perform pg_notify('unit_changes', new.project_id::text);
    end if;
    return null;
end
$$;

create trigger units_notify_change
    after insert or update or delete on units
    for each row execute function app_notify_unit_change();
