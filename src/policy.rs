//! Roles and permissions (SPEC R2.1, R2.2).
//!
//! [`MATRIX`] is the single definition of who may do what: the server
//! authorises with it, the UI asks it what to show, and
//! `docs/permissions.md` is rendered from it (a test fails when the file is
//! stale). No role list is written anywhere else.
//!
//! Authorisation answers with a [`Grant`], not a bool: where SPEC qualifies a
//! tick ("own units", "pool rules"), the grant says so and the caller must
//! match on it, so a limited grant can never be mistaken for a full one.

use serde::{Deserialize, Serialize};
use std::fmt;

/// SPEC R2.1: five roles, one per person per organisation (R1.4). On the
/// server it decodes from the `member_role` column type, and a value this
/// enum does not know is an error, never a default or a dropped row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ssr",
    derive(sqlx::Type),
    sqlx(type_name = "member_role", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Admin,
    SalesManager,
    ContentEditor,
    SalesAgent,
}

impl Role {
    /// In the order of SPEC R2.2's columns.
    pub const ALL: [Role; 5] = [
        Role::Owner,
        Role::Admin,
        Role::SalesManager,
        Role::ContentEditor,
        Role::SalesAgent,
    ];

    /// The database's name for the role (`member_role` enum).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::SalesManager => "sales_manager",
            Role::ContentEditor => "content_editor",
            Role::SalesAgent => "sales_agent",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// What a person reads.
    pub fn label(self) -> &'static str {
        match self {
            Role::Owner => "Owner",
            Role::Admin => "Admin",
            Role::SalesManager => "Sales Manager",
            Role::ContentEditor => "Content Editor",
            Role::SalesAgent => "Sales Agent",
        }
    }

    /// What this role may do with `permission`, if anything.
    pub fn grant(self, permission: Permission) -> Option<Grant> {
        let column = Role::ALL.iter().position(|r| *r == self)?;
        MATRIX
            .iter()
            .find(|(p, _)| *p == permission)
            .and_then(|(_, grants)| grants[column])
    }

    pub fn can(self, permission: Permission) -> bool {
        self.grant(permission).is_some()
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One row of SPEC R2.2. Where SPEC puts two powers in one row with a
/// qualified tick ("create project, manage partners, toggle stock mode" —
/// Sales Manager "stock mode only"), they are two permissions here, so no
/// caller has to remember the qualifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    ManageOrgSettings,
    TransferOwnership,
    ViewTeam,
    ManageMembers,
    ViewAuditLog,
    ManageProjects,
    ToggleStockMode,
    EditProjectContent,
    ViewUnits,
    AllocateUnits,
    ReserveUnits,
    ManageBuyers,
    ViewProjectActivity,
}

impl Permission {
    pub fn describe(self) -> &'static str {
        match self {
            Permission::ManageOrgSettings => "org settings, branding, subdomain",
            Permission::TransferOwnership => "transfer ownership, close organisation",
            Permission::ViewTeam => "view team",
            Permission::ManageMembers => "invite / change role / remove members",
            Permission::ViewAuditLog => "view org audit log",
            Permission::ManageProjects => "create project, manage partners",
            Permission::ToggleStockMode => "toggle stock mode",
            Permission::EditProjectContent => "edit project content (text, media, presentation)",
            Permission::ViewUnits => "view units",
            Permission::AllocateUnits => "allocate units to agencies / agents",
            Permission::ReserveUnits => "reserve / release a unit for a buyer",
            Permission::ManageBuyers => "manage buyers, issue buyer links",
            Permission::ViewProjectActivity => "view project activity log",
        }
    }
}

/// What a role is allowed, when it is allowed something.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Grant {
    Full,
    Limited(Limit),
}

/// The qualifiers of SPEC R2.2's ticks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Limit {
    /// May look, never change (Content Editor on units).
    ReadOnly,
    /// Sees only what the project's stock mode allows (R6.1).
    PoolRules,
    /// Only units assigned to the agent or the agent's agency (R6.1).
    OwnUnits,
    /// Only buyers the agent recorded.
    OwnBuyers,
}

impl Limit {
    pub fn describe(self) -> &'static str {
        match self {
            Limit::ReadOnly => "read only",
            Limit::PoolRules => "pool rules, R6",
            Limit::OwnUnits => "own units",
            Limit::OwnBuyers => "own buyers",
        }
    }
}

const F: Option<Grant> = Some(Grant::Full);
const NO: Option<Grant> = None;
const fn only(limit: Limit) -> Option<Grant> {
    Some(Grant::Limited(limit))
}

/// SPEC R2.2. Columns: Owner, Admin, Sales Manager, Content Editor, Sales Agent.
#[rustfmt::skip]
pub const MATRIX: &[(Permission, [Option<Grant>; 5])] = &[
    (Permission::ManageOrgSettings,   [F, F, NO, NO, NO]),
    (Permission::TransferOwnership,   [F, NO, NO, NO, NO]),
    (Permission::ViewTeam,            [F, F, F, F, F]),
    (Permission::ManageMembers,       [F, F, NO, NO, NO]),
    (Permission::ViewAuditLog,        [F, F, NO, NO, NO]),
    (Permission::ManageProjects,      [F, F, NO, NO, NO]),
    (Permission::ToggleStockMode,     [F, F, F, NO, NO]),
    (Permission::EditProjectContent,  [F, F, NO, F, NO]),
    (Permission::ViewUnits,           [F, F, F, only(Limit::ReadOnly), only(Limit::PoolRules)]),
    (Permission::AllocateUnits,       [F, F, F, NO, NO]),
    (Permission::ReserveUnits,        [F, F, F, NO, only(Limit::OwnUnits)]),
    (Permission::ManageBuyers,        [F, F, F, NO, only(Limit::OwnBuyers)]),
    (Permission::ViewProjectActivity, [F, F, F, F, NO]),
];

/// The roles `actor` may hand out by invitation or role change (R4.2, R4.3):
/// anything but Owner (ownership moves only by transfer, R4.6), and nothing
/// at all without the power to manage members.
pub fn grantable_roles(actor: Role) -> &'static [Role] {
    const NON_OWNER: &[Role] = &[
        Role::Admin,
        Role::SalesManager,
        Role::ContentEditor,
        Role::SalesAgent,
    ];
    if actor.can(Permission::ManageMembers) {
        NON_OWNER
    } else {
        &[]
    }
}

/// The role lacks the permission (SPEC R2.5: a 403 in the actor's own tenant).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{role} may not {}", permission.describe())]
pub struct Denied {
    pub role: Role,
    pub permission: Permission,
}

/// Whether `role` may exercise `permission`, and how far.
pub fn authorize_role(role: Role, permission: Permission) -> Result<Grant, Denied> {
    role.grant(permission).ok_or(Denied { role, permission })
}

/// `docs/permissions.md`, rendered from [`MATRIX`].
pub fn render_markdown() -> String {
    let mut out = String::from(
        "# Permissions\n\n\
         Generated from `src/policy.rs` (`MATRIX`), the single definition of\n\
         SPEC R2.2. Do not edit by hand: change the matrix, then run\n\
         `UPDATE_DOCS=1 cargo test -p offplan policy` to rewrite this file.\n\n",
    );
    out.push_str("| permission |");
    for role in Role::ALL {
        out.push_str(&format!(" {} |", role.label()));
    }
    out.push_str("\n|---|");
    for _ in Role::ALL {
        out.push_str("---|");
    }
    out.push('\n');
    for (permission, grants) in MATRIX {
        out.push_str(&format!("| {} |", permission.describe()));
        for grant in grants {
            let cell = match grant {
                Some(Grant::Full) => "✓".to_owned(),
                Some(Grant::Limited(limit)) => format!("✓ ({})", limit.describe()),
                None => String::new(),
            };
            out.push_str(&format!(" {cell} |"));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_permission_has_exactly_one_row() {
        let all = [
            Permission::ManageOrgSettings,
            Permission::TransferOwnership,
            Permission::ViewTeam,
            Permission::ManageMembers,
            Permission::ViewAuditLog,
            Permission::ManageProjects,
            Permission::ToggleStockMode,
            Permission::EditProjectContent,
            Permission::ViewUnits,
            Permission::AllocateUnits,
            Permission::ReserveUnits,
            Permission::ManageBuyers,
            Permission::ViewProjectActivity,
        ];
        for p in all {
            assert_eq!(MATRIX.iter().filter(|(q, _)| *q == p).count(), 1, "{p:?}");
        }
        assert_eq!(MATRIX.len(), all.len());
    }

    #[test]
    fn only_the_owner_transfers_ownership() {
        for role in Role::ALL {
            assert_eq!(
                role.can(Permission::TransferOwnership),
                role == Role::Owner,
                "{role}"
            );
        }
    }

    #[test]
    fn everyone_sees_the_team_and_only_owner_and_admin_manage_it() {
        for role in Role::ALL {
            assert!(role.can(Permission::ViewTeam));
            assert_eq!(
                role.can(Permission::ManageMembers),
                matches!(role, Role::Owner | Role::Admin)
            );
        }
    }

    #[test]
    fn content_editor_and_sales_agent_do_not_overlap_on_mutations() {
        // R2.1: distinct rows with no overlap.
        for (permission, grants) in MATRIX {
            let editor = grants[3].filter(|g| *g != Grant::Limited(Limit::ReadOnly));
            let agent = grants[4].filter(|g| *g != Grant::Limited(Limit::PoolRules));
            assert!(
                editor.is_none() || agent.is_none() || *permission == Permission::ViewTeam,
                "{permission:?}"
            );
        }
    }

    #[test]
    fn qualified_ticks_are_limited_grants() {
        assert_eq!(
            authorize_role(Role::SalesAgent, Permission::ReserveUnits),
            Ok(Grant::Limited(Limit::OwnUnits))
        );
        assert_eq!(
            authorize_role(Role::ContentEditor, Permission::ViewUnits),
            Ok(Grant::Limited(Limit::ReadOnly))
        );
        assert_eq!(
            authorize_role(Role::SalesManager, Permission::ManageProjects),
            Err(Denied {
                role: Role::SalesManager,
                permission: Permission::ManageProjects
            })
        );
        assert_eq!(
            authorize_role(Role::SalesManager, Permission::ToggleStockMode),
            Ok(Grant::Full)
        );
    }

    #[test]
    fn nobody_grants_ownership_and_only_managers_grant_anything() {
        for actor in Role::ALL {
            let grantable = grantable_roles(actor);
            assert!(!grantable.contains(&Role::Owner), "{actor}");
            assert_eq!(
                grantable.is_empty(),
                !actor.can(Permission::ManageMembers),
                "{actor}"
            );
        }
    }

    #[test]
    fn role_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("superuser"), None);
    }

    /// docs/permissions.md is generated; this fails when it is stale.
    #[test]
    fn permissions_doc_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/permissions.md");
        let rendered = render_markdown();
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(path, &rendered).unwrap();
        }
        let on_disk = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            on_disk == rendered,
            "docs/permissions.md is stale: run `UPDATE_DOCS=1 cargo test -p offplan policy`"
        );
    }
}
