-- The buyer's page (SPEC R7.3, R7.4; issue 13 item 5).
--
-- A buyer opens `<agency>.<base>/projects/<p>/units/<u>?b=<token>` with no
-- account. As with invitations (20261122000022_team.sql), rather than a
-- security-definer function that sidesteps row-level security, a
-- transaction that has proven it holds the token (app.token_hash set to its
-- SHA-256) may read that one link; everything the page then reads — the
-- unit, the project's presentation, its images — runs with the link's
-- issuing organisation as the tenant, under the ordinary policies (an
-- agency partner reads the owner's project, units and media; a link whose
-- agency is no longer a partner reads nothing and shows nothing).

create policy buyer_links_by_token on buyer_links for select to offplan_app
    using (token_hash = app_current_token_hash());

-- The issuer's people who wrote the link are named on the page (the
-- agent's name and a way to reach them); memberships are per tenant and
-- the page's tenant is the issuer, so the ordinary membership policy
-- already covers that read. Nothing else is needed here.

-- The lookup by token is by the unique index on token_hash.
comment on policy buyer_links_by_token on buyer_links is
    'R7.3: a transaction that proved it holds a buyer link''s token reads that one link.';
