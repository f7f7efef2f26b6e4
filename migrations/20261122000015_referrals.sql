-- Referrals (SPEC R9): one code per user per organisation (attribution is
-- organisation-bound), 6 characters of base32; a referral links the
-- referrer (user + organisation) to the organisation they brought.

create table referral_codes (
    org_id uuid not null,
    user_id uuid not null,
    code text not null constraint referral_codes_code_key unique
        check (code ~ '^[A-Z2-7]{6}$'),
    created_at timestamptz not null default now(),
    primary key (org_id, user_id),
    foreign key (org_id, user_id) references memberships (org_id, user_id)
);

create type referral_status as enum ('pending', 'eligible', 'ended', 'void');

create table referrals (
    org_id uuid not null,
    id uuid not null default gen_random_uuid(),
    referrer_user_id uuid not null,
    -- An organisation is referred at most once.
    referred_org_id uuid not null constraint referrals_referred_org_key unique
        references organisations (id),
    status referral_status not null default 'pending',
    created_at timestamptz not null default now(),
    -- R9.3: paid plan and 30 days active; rewards for 12 months after.
    eligible_at timestamptz,
    rewards_end_at timestamptz,
    primary key (org_id, id),
    foreign key (org_id, referrer_user_id) references referral_codes (org_id, user_id),
    -- R9.4: no self-referral (cycles are refused at creation).
    check (referred_org_id <> org_id)
);

alter table referral_codes enable row level security;
alter table referral_codes force row level security;
create policy referral_codes_tenant on referral_codes to offplan_app
    using (org_id = app_current_org()) with check (org_id = app_current_org());
grant select, insert on referral_codes to offplan_app;

alter table referrals enable row level security;
alter table referrals force row level security;
-- The referrer's organisation reads its referrals; the row is written while
-- the referred organisation is being created (its scope is the new org).
create policy referrals_read on referrals for select to offplan_app
    using (org_id = app_current_org());
create policy referrals_insert on referrals for insert to offplan_app
    with check (referred_org_id = app_current_org());
grant select, insert on referrals to offplan_app;
