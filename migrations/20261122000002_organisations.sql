-- Organisations (SPEC R1.2, R1.3, R7.2): the tenants. The owner and referral
-- columns arrive with the users table (they reference it).

create type client_type as enum ('studio', 'agency', 'developer');
create type org_plan as enum ('free_guest', 'trial', 'starter', 'pro', 'enterprise');
create type org_status as enum ('active', 'suspended', 'closed');

create table organisations (
    id uuid primary key default gen_random_uuid(),
    name text not null
        check (char_length(btrim(name)) between 1 and 120),
    -- A DNS label (R1.2): 3-63 of a-z0-9-, no leading/trailing hyphen,
    -- never a reserved name, never an IDNA label. The Rust `Subdomain`
    -- parser applies the same rules; this is the database's copy of them.
    subdomain text not null
        constraint organisations_subdomain_key unique
        constraint organisations_subdomain_format
            check (subdomain ~ '^[a-z0-9]([a-z0-9-]{1,61})[a-z0-9]$')
        constraint organisations_subdomain_not_reserved
            check (subdomain not like 'xn--%' and subdomain not in (
                'app', 'www', 'api', 'admin', 'static', 'assets', 'mail', 'help',
                'status', 'docs', 'billing', 'auth', 'login', 'signup')),
    -- ISO 3166-1 alpha-2.
    country char(2) not null check (country ~ '^[A-Z]{2}$'),
    -- R1.3: a non-empty set; an organisation may be several kinds at once.
    client_types client_type[] not null
        check (cardinality(client_types) >= 1 and array_is_set(client_types)),
    plan org_plan not null default 'trial',
    status org_status not null default 'active',
    payment_provider text,
    external_customer_id text,
    -- R7.2: rendered into a <style> element, so the format is strict.
    brand_colour text not null default '#1f5f8b'
        check (brand_colour ~ '^#[0-9a-f]{6}$'),
    tagline text check (char_length(tagline) <= 200),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    -- A customer id only means something with its provider.
    check (external_customer_id is null or payment_provider is not null)
);

-- R1.2: provisioning by external customer id is idempotent; the same id
-- can never name two organisations.
create unique index organisations_external_customer_key
    on organisations (payment_provider, external_customer_id)
    where external_customer_id is not null;

create trigger organisations_updated_at before update on organisations
    for each row execute function set_updated_at();
