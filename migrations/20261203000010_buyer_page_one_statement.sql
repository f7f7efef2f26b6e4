-- The buyer's page in one round trip (issue 13's benchmark).
--
-- Opening a buyer link took eleven statements: the host's brand, the
-- address's rate limit, then a transaction proving the token, reading the
-- link, entering the issuer's tenancy, the project, a moved slug, the
-- agent, the page, the visit, and the commit. About two thirds of the CPU
-- under load was PostgreSQL's, per statement. `app_buyer_page` does the same
-- reads, in the same order and under the same row-level security (it is
-- SECURITY INVOKER: the runtime role's policies apply to every read, as
-- they did statement by statement), as one statement. A repeat open within
-- one visit is then that one statement; a new visit adds one short
-- transaction for the link's last-opened time and its audit event, which
-- stay in Rust (the audit chain is appended there).
--
-- The walls' settings and the rate-limit counter get one definition each
-- here, which db/tenant.rs and db/unscoped/limits.rs now call too, so there
-- is still exactly one place that sets `app.org_id`, `app.user_id` and
-- `app.token_hash`.

-- Enters a tenant (and a person) for the rest of the transaction; NULL
-- clears. Returns the tenant.
create function app_enter_tenant(p_org uuid, p_user uuid) returns uuid
language plpgsql volatile as $$
begin
    perform set_config('app.org_id', coalesce(p_org::text, ''), true),
            set_config('app.user_id', coalesce(p_user::text, ''), true);
    return p_org;
end $$;

-- Proves, for the rest of the transaction, that the caller holds the token
-- whose SHA-256 is `p_hash` (R5.4, R7.3): the `*_by_token` policies let
-- exactly that row through.
create function app_prove_token(p_hash bytea) returns bytea
language plpgsql volatile as $$
begin
    perform set_config('app.token_hash', encode(p_hash, 'hex'), true);
    return p_hash;
end $$;

-- One hit in a fixed window of `p_window_secs`; the window's count so far.
create function app_rate_limit_hit(p_bucket text, p_window_secs double precision)
returns integer
language sql volatile as $$
    insert into rate_limit_hits (bucket, window_start, hits)
    values (p_bucket, to_timestamp(floor(extract(epoch from now()) / p_window_secs) * p_window_secs), 1)
    on conflict (bucket, window_start) do update set hits = rate_limit_hits.hits + 1
    returning hits;
$$;

revoke all on function app_enter_tenant(uuid, uuid), app_prove_token(bytea),
    app_rate_limit_hit(text, double precision) from public;
grant execute on function app_enter_tenant(uuid, uuid), app_prove_token(bytea),
    app_rate_limit_hit(text, double precision) to offplan_app;

-- What a buyer link answers (db::unscoped::buyer_page decides nothing
-- more; it maps these).
create type buyer_page_outcome as enum (
    'no_site',      -- no organisation at this address: the app answers
    'too_many',     -- R3.7: this address's token lookups are over the limit
    'unknown',      -- no such link for this host and unit (R5.5 counts it)
    'revoked',      -- replaced, revoked, or its unit reassigned or sold
    'expired',
    'unavailable',  -- the project is not shown, or the unit is not on offer
    'live'
);

-- The brand comes first (no organisation, nothing counted), then the
-- address's limit (counted whether or not a link is found, before any
-- lookup), then the link by its token, then — as the issuing organisation
-- — the project, the agent who sent it and the page. An ended link reads
-- no unit data. `p_token_hash` NULL: the token or unit was malformed
-- (counted, then unknown).
create function app_buyer_page(
    p_subdomain text,
    p_bucket text,
    p_window_secs double precision,
    p_max integer,
    p_token_hash bytea,
    p_slug text,
    p_unit uuid,
    p_visit_secs double precision
)
returns table (
    outcome buyer_page_outcome,
    org_id uuid,
    org_name text,
    brand_colour text,
    client_types client_type[],
    link_id uuid,
    link_token_hash bytea,
    unit_org_id uuid,
    project_id uuid,
    expires_at timestamptz,
    visit_due boolean,
    agent_name text,
    agent_email text,
    project_name text,
    code text,
    floor integer,
    bedrooms smallint,
    area_m2 text,
    price_minor bigint,
    currency text,
    status unit_status,
    unit_description text,
    headline text,
    description text,
    location text,
    expected_completion date,
    floor_plan jsonb,
    hero jsonb,
    gallery jsonb
)
language plpgsql volatile security invoker as $$
#variable_conflict use_column
declare
    l record;
    pr record;
    have_project boolean;
begin
    select b.id, b.name, b.brand_colour, b.client_types
      into org_id, org_name, brand_colour, client_types
      from public_org_brands b where b.subdomain = p_subdomain;
    if not found then
        outcome := 'no_site'; return next; return;
    end if;
    if app_rate_limit_hit(p_bucket, p_window_secs) > p_max then
        outcome := 'too_many'; return next; return;
    end if;
    if p_token_hash is null then
        outcome := 'unknown'; return next; return;
    end if;

    perform app_prove_token(p_token_hash);
    select bl.org_id, bl.id, bl.token_hash, bl.unit_org_id, bl.project_id, bl.unit_id,
           bl.created_by_user_id, bl.expires_at, bl.revoked_at, bl.last_opened_at
      into l
      from buyer_links bl where bl.token_hash = p_token_hash;
    -- A link shows only on its own organisation's address, for its own
    -- unit: anything else is indistinguishable from no link at all.
    if not found or l.org_id <> org_id or l.unit_id <> p_unit then
        outcome := 'unknown'; return next; return;
    end if;
    link_id := l.id;
    link_token_hash := l.token_hash;
    unit_org_id := l.unit_org_id;
    project_id := l.project_id;
    expires_at := l.expires_at;
    perform app_enter_tenant(l.org_id, null);

    -- The project as the issuer sees it: none when the agency is no longer
    -- a partner. Its current slug or one it moved from.
    select p.name, p.slug, (p.status = 'active') as active
      into pr
      from projects p where p.org_id = l.unit_org_id and p.id = l.project_id;
    have_project := found;
    if have_project and pr.slug <> p_slug and not exists (
        select 1 from project_slug_redirects r
        where r.org_id = l.unit_org_id and r.project_id = l.project_id and r.old_slug = p_slug)
    then
        outcome := 'unknown'; return next; return;
    end if;

    select u.display_name, u.email::text into agent_name, agent_email
      from users u where u.id = l.created_by_user_id;
    if l.revoked_at is not null then
        outcome := 'revoked'; return next; return;
    end if;
    if l.expires_at <= now() then
        outcome := 'expired'; return next; return;
    end if;
    if not have_project or not pr.active then
        outcome := 'unavailable'; return next; return;
    end if;
    project_name := pr.name;

    select u.code, u.floor, u.bedrooms, u.area_m2::text, u.price_minor, u.currency, u.status,
           up.description, pp.headline, pp.description, pp.location, pp.expected_completion,
           (select to_jsonb(m) from (
                select web_key as key, thumb_key, content_type, width, height, alt
                from media where media.org_id = u.org_id and media.unit_id = u.id
                  and role = 'floor_plan' and removed_at is null) m),
           (select to_jsonb(m) from (
                select web_key as key, thumb_key, content_type, width, height, alt
                from media where media.org_id = u.org_id and media.project_id = u.project_id
                  and role = 'hero' and removed_at is null) m),
           (select coalesce(jsonb_agg(to_jsonb(m) order by m.position), '[]'::jsonb) from (
                select web_key as key, thumb_key, content_type, width, height, alt, position
                from media where media.org_id = u.org_id and media.project_id = u.project_id
                  and role = 'gallery' and removed_at is null
                order by position limit 24) m)
      into code, floor, bedrooms, area_m2, price_minor, currency, status,
           unit_description, headline, description, location, expected_completion,
           floor_plan, hero, gallery
      from units u
      left join unit_presentations up on up.org_id = u.org_id and up.unit_id = u.id
      left join project_presentations pp on pp.org_id = u.org_id and pp.project_id = u.project_id
     where u.org_id = l.unit_org_id and u.project_id = l.project_id and u.id = l.unit_id;
    if not found or status = 'withdrawn' then
        outcome := 'unavailable'; return next; return;
    end if;
    visit_due := l.last_opened_at is null
                 or l.last_opened_at < now() - p_visit_secs * interval '1 second';
    outcome := 'live';
    return next;
end $$;

comment on function app_buyer_page is
    'R7.3/R7.4: a buyer link''s page in one statement, under row-level security (SECURITY INVOKER).';

revoke all on function app_buyer_page(text, text, double precision, integer, bytea, text, uuid,
    double precision) from public;
grant execute on function app_buyer_page(text, text, double precision, integer, bytea, text, uuid,
    double precision) to offplan_app;
