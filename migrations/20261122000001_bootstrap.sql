-- Bootstrap: helpers every later migration uses.

-- Keeps `updated_at` true without trusting application code to set it.
create or replace function set_updated_at() returns trigger
language plpgsql as $$
begin
    new.updated_at := now();
    return new;
end;
$$;

-- True when an array holds no duplicates; CHECK constraints cannot use
-- subqueries, so "is a set" needs an immutable function.
create or replace function array_is_set(anyarray) returns boolean
language sql immutable strict parallel safe as $$
    select cardinality($1) = (select count(distinct x) from unnest($1) as x);
$$;
