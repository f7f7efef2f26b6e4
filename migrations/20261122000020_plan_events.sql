-- Plan lifecycle (SPEC R1.10): every plan change is a recorded event.

create table org_plan_events (
    org_id uuid not null references organisations (id) on delete restrict,
    id uuid not null default gen_random_uuid(),
    from_plan org_plan,
    to_plan org_plan not null,
    reason text not null check (reason in (
        'signup', 'trial_ended', 'upgrade', 'downgrade', 'chargeback', 'operator')),
    effective_at timestamptz not null,
    created_at timestamptz not null default now(),
    primary key (org_id, id)
);

alter table org_plan_events enable row level security;
alter table org_plan_events force row level security;
create policy org_plan_events_tenant on org_plan_events to offplan_app
    using (org_id = app_current_org()) with check (org_id = app_current_org());
grant select, insert on org_plan_events to offplan_app;
