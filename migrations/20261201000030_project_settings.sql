-- Project settings (SPEC R1.6, R7.1, issue 12).
--
-- A project's address is `<org>.<base>/projects/<slug>`. Changing the slug
-- keeps the old one as a redirect to the project, so links already sent
-- out keep working; a new project (or a rename) that takes an old slug
-- removes its redirect (the application does this in the same
-- transaction). The redirect lives in the project owner's tenant, like the
-- project; partners read it, to follow their own links to the project.

create table project_slug_redirects (
    org_id uuid not null,
    old_slug text not null check (old_slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
    project_id uuid not null,
    created_at timestamptz not null default now(),
    primary key (org_id, old_slug),
    foreign key (org_id, project_id) references projects (org_id, id) on delete cascade
);

-- The redirects of one project (the cascade, and the partner's lookup).
create index project_slug_redirects_project on project_slug_redirects (org_id, project_id);

alter table project_slug_redirects enable row level security;
alter table project_slug_redirects force row level security;
create policy project_slug_redirects_read on project_slug_redirects for select to offplan_app
    using (org_id = app_current_org() or app_is_partner(org_id, project_id));
create policy project_slug_redirects_insert on project_slug_redirects for insert to offplan_app
    with check (org_id = app_current_org());
create policy project_slug_redirects_delete on project_slug_redirects for delete to offplan_app
    using (org_id = app_current_org());
grant select, insert, delete on project_slug_redirects to offplan_app;

-- The public face of a project: what the branded project home shows to
-- anyone before they sign in (R7.1), for active projects of organisations
-- that are not closed, nothing else. Like `public_org_brands`: the view
-- runs with its owner's rights (the migration owner, which bypasses row-
-- level security), so it sees every row and exposes only the columns
-- listed; security_barrier keeps a caller's own predicates from running
-- before the view's filter.
create view public_projects with (security_barrier = true) as
    select p.org_id, p.slug, p.name, p.status
    from projects p
    where p.status = 'active'
      and exists (select 1 from organisations o where o.id = p.org_id and o.status <> 'closed');

comment on view public_projects is
    'Public name and address of every active project of an organisation that is not closed (R7.1). The only cross-tenant read of projects the runtime role has.';

revoke all on public_projects from public;
grant select on public_projects to offplan_app;

-- The old addresses of those same projects, so a link to the branded
-- project home made before a rename still arrives (the current slug
-- beside each old one).
create view public_project_redirects with (security_barrier = true) as
    select r.org_id, r.old_slug, p.slug
    from project_slug_redirects r
    join projects p on p.org_id = r.org_id and p.id = r.project_id
    where p.status = 'active'
      and exists (select 1 from organisations o where o.id = p.org_id and o.status <> 'closed');

comment on view public_project_redirects is
    'Old slugs of the projects in public_projects, each with the current slug (R7.1).';

revoke all on public_project_redirects from public;
grant select on public_project_redirects to offplan_app;
