//! Roles, actions and the one permission matrix; region scopes and who may grant what.

use serde::{Deserialize, Serialize};
use strum::{Display, EnumString, IntoStaticStr, VariantArray};

use crate::codes::{Code, UnknownCode, code};
use crate::region::RegionCode;

/// What an account is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(EnumString, Display, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case", parse_err_ty = UnknownCode, parse_err_fn = Self::unknown)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = RoleName, description = "A role of an account.")
)]
pub enum Role {
    /// Operates the deployment; the whole nation.
    SuperAdmin,
    /// Manages users and settings in its region.
    Admin,
    /// Petugas: verifies, returns and rejects.
    Officer,
    /// Kepala badan: approves registrations and signs letters and sanctions.
    Head,
    /// Tim terpadu member: reads everything in its region and runs oversight cases.
    Oversight,
    /// Pengurus of one ormas: acts only for the ormas bound to the account.
    OrmasRep,
    /// A service client (Kemendagri and other agencies): read-only.
    Integrator,
}

code!(Role, "role");

impl Role {
    /// The order in which roles may grant one another: nobody grants a role ranked above their own.
    pub fn rank(self) -> u8 {
        match self {
            Role::SuperAdmin => 6,
            Role::Admin => 5,
            Role::Head => 4,
            Role::Officer | Role::Oversight => 3,
            Role::Integrator => 2,
            Role::OrmasRep => 1,
        }
    }

    /// Staff of a Kesbangpol office (as opposed to representatives and service clients).
    pub fn is_staff(self) -> bool {
        matches!(
            self,
            Role::SuperAdmin | Role::Admin | Role::Officer | Role::Head | Role::Oversight
        )
    }
}

/// Everything an account may be allowed to do. Each endpoint names exactly one action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(EnumString, Display, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case", parse_err_ty = UnknownCode, parse_err_fn = Self::unknown)]
pub enum Action {
    /// Read one's own account (`GET /v1/me`) and end one's own session.
    ReadSelf,
    /// Read accounts in scope.
    ReadUsers,
    /// Create and change accounts in scope (never above one's own role or outside one's scope).
    ManageUsers,
    /// Create and list service clients in scope.
    ManageClients,
    /// Read the audit log of one's scope.
    ReadAudit,
    /// Add and remove holidays and cuti bersama.
    EditCalendar,
    /// Read registrations in scope (a representative: its own only), with personal data masked for
    /// those who are neither staff nor the ormas's own representatives.
    ReadRegistrations,
    /// Read documents and unmasked board data (staff in scope, the ormas's own representatives).
    ReadPersonalData,
    /// Create a registration draft.
    CreateRegistration,
    /// Edit a registration, its board and its documents (representatives while it is a draft or
    /// returned; officers also correct contact data later).
    EditRegistration,
    /// Bind a representative's account to the ormas it represents, or unbind it.
    BindRepresentative,
    /// Correct an organisation's national identity (its scope must cover every region where the
    /// organisation is present).
    CorrectOrganisation,
    SubmitRegistration,
    ReturnRegistration,
    ApproveRegistration,
    RejectRegistration,
    DissolveRegistration,
    /// Read reports in scope (a representative: its own ormas's only) and the report queues.
    ReadReports,
    /// Create, edit and submit a report (representatives for their own ormas; officers on its
    /// behalf).
    WriteReport,
    /// Accept a submitted report, issuing its receipt (STTL) number.
    AcceptReport,
    /// Return a submitted report with notes.
    ReturnReport,
    /// Read the statistics of one's scope.
    ReadStatistics,
    /// File an internal complaint or a monitoring finding (public complaints need no account).
    FileComplaint,
    /// Read complaints in scope, the complainant's name and contact masked.
    ReadComplaints,
    /// See a complainant's name and contact (every read is audited).
    ReadComplainantIdentity,
    /// Dismiss a complaint or open (or attach it to) a case.
    TriageComplaint,
    /// Read oversight cases, their team, visits and history.
    ReadCases,
    /// Open and run oversight cases: team, state, recommendation, closing, field visits.
    RunCases,
    /// Record a verification or re-registration visit on a registration (no case needed).
    RecordVisit,
    /// Read sanctions (a representative: its own ormas's only).
    ReadSanctions,
    /// Issue a written warning (the regional office's own sanction).
    IssueWarning,
    /// Record a ministry's decision: an activity suspension, its lifting, a revocation.
    RecordSanctionDecision,
    /// Record whether a warning or a suspension was complied with.
    RecordCompliance,
    /// Answer a warning addressed to one's own ormas with a statement and documents.
    AnswerWarning,
    /// Read the oversight dashboard of one's scope.
    ReadOversightDashboard,
    /// Read attribute permit requests in scope (a representative: its own ormas's only) and the
    /// office's permit queue.
    ReadAttributePermits,
    /// Create, edit and submit an attribute permit request (representatives for their own ormas;
    /// officers on its behalf).
    WriteAttributePermit,
    /// Review a submitted attribute permit request: the checklist per item, or return it for changes.
    ReviewAttributePermit,
    /// Approve a reviewed attribute permit request, issuing its permit number.
    ApproveAttributePermit,
    /// Refuse an attribute permit request, naming the items and the ground.
    RefuseAttributePermit,
    /// Read grant proposals in scope (a representative: its own ormas's only) and the grant totals.
    ReadGrants,
    /// Create, edit and submit a grant proposal and, once disbursed, its accountability report (LPJ)
    /// (representatives for their own ormas; officers on its behalf).
    WriteGrantProposal,
    /// The verification team: recommend an amount (verify) or return a submitted proposal.
    VerifyGrantProposal,
    /// Record the regional head's decision (approval by decree, or rejection) and the signed grant
    /// agreement (NPHD).
    DecideGrantProposal,
    /// Record a grant's disbursement and accept its accountability report (LPJ).
    AdministerGrant,
    /// Read consultation threads in scope (a representative: the ones it asked only).
    ReadConsultations,
    /// Open a consultation, reply in it and close it (the asker).
    AskConsultation,
    /// Answer a consultation in scope, and assign it to an officer.
    AnswerConsultation,
    /// Follow the changes feed of one's scope (`GET /v1/changes`).
    ReadChanges,
    /// Manage webhook subscriptions (an integrator: its own only).
    ManageWebhooks,
    /// Download the bulk export of the register in one's scope.
    ExportRegister,
}

code!(Action, "action");

/// The permission matrix: one place, role × action. Region scoping is checked separately, on the
/// data each request touches.
pub fn allows(role: Role, action: Action) -> bool {
    use Action::*;
    use Role::*;
    match action {
        ReadSelf => true,
        ReadUsers => matches!(role, SuperAdmin | Admin),
        ManageUsers => matches!(role, SuperAdmin | Admin),
        ManageClients => matches!(role, SuperAdmin | Admin),
        ReadAudit => matches!(role, SuperAdmin | Admin),
        EditCalendar => matches!(role, SuperAdmin),
        ReadRegistrations => true,
        ReadPersonalData => matches!(
            role,
            SuperAdmin | Admin | Officer | Head | Oversight | OrmasRep
        ),
        CreateRegistration | EditRegistration | SubmitRegistration => {
            matches!(role, Officer | OrmasRep)
        }
        BindRepresentative => matches!(role, SuperAdmin | Admin | Officer),
        CorrectOrganisation => matches!(role, SuperAdmin | Admin | Officer),
        ReturnRegistration => matches!(role, Officer),
        ApproveRegistration | DissolveRegistration => matches!(role, Head),
        RejectRegistration => matches!(role, Officer | Head),
        ReadReports => true,
        WriteReport => matches!(role, Officer | OrmasRep),
        AcceptReport | ReturnReport => matches!(role, Officer),
        ReadStatistics => !matches!(role, OrmasRep),
        FileComplaint => matches!(role, Officer | Oversight),
        ReadComplaints | ReadCases | ReadOversightDashboard => role.is_staff(),
        ReadComplainantIdentity | TriageComplaint => matches!(role, Oversight | Head),
        RunCases => matches!(role, Oversight),
        RecordVisit => matches!(role, Officer | Oversight),
        ReadSanctions => true,
        IssueWarning | RecordSanctionDecision => matches!(role, Head),
        RecordCompliance => matches!(role, Head | Oversight),
        AnswerWarning => matches!(role, OrmasRep),
        ReadAttributePermits | ReadGrants => true,
        WriteAttributePermit | WriteGrantProposal => matches!(role, Officer | OrmasRep),
        ReviewAttributePermit | VerifyGrantProposal | AdministerGrant => matches!(role, Officer),
        ApproveAttributePermit | DecideGrantProposal => matches!(role, Head),
        RefuseAttributePermit => matches!(role, Officer | Head),
        ReadConsultations => !matches!(role, Integrator),
        AskConsultation => matches!(role, OrmasRep),
        AnswerConsultation => matches!(role, Officer | Head),
        ReadChanges | ExportRegister => !matches!(role, OrmasRep),
        ManageWebhooks => matches!(role, SuperAdmin | Admin | Integrator),
    }
}

/// The region an account acts on: the whole nation, or a region and everything below it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Scope {
    National,
    Region(RegionCode),
}

impl Scope {
    pub fn from_region(region: Option<RegionCode>) -> Scope {
        match region {
            Some(code) => Scope::Region(code),
            None => Scope::National,
        }
    }

    pub fn region(&self) -> Option<&RegionCode> {
        match self {
            Scope::National => None,
            Scope::Region(code) => Some(code),
        }
    }

    /// Whether a record in `region` lies within this scope.
    pub fn covers(&self, region: &RegionCode) -> bool {
        match self {
            Scope::National => true,
            Scope::Region(own) => own.covers(region),
        }
    }

    /// Whether this scope contains the whole of `other`.
    pub fn contains(&self, other: &Scope) -> bool {
        match (self, other) {
            (Scope::National, _) => true,
            (Scope::Region(_), Scope::National) => false,
            (Scope::Region(own), Scope::Region(theirs)) => own.covers(theirs),
        }
    }
}

/// Why an account may not be given a role and scope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GrantError {
    #[error("the granting account may not manage users")]
    NotPermitted,
    #[error("role {granted} is above the granting account's role {own}")]
    RoleAboveOwn { own: Role, granted: Role },
    #[error("the region lies outside the granting account's scope")]
    OutsideScope,
    #[error("only super_admin accounts cover the whole nation")]
    NationalScopeReserved,
}

/// Whether an account with `own_role` and `own_scope` may give an account `role` over `scope`.
pub fn check_grant(
    own_role: Role,
    own_scope: &Scope,
    role: Role,
    scope: &Scope,
) -> Result<(), GrantError> {
    if !allows(own_role, Action::ManageUsers) {
        return Err(GrantError::NotPermitted);
    }
    if role.rank() > own_role.rank() {
        return Err(GrantError::RoleAboveOwn {
            own: own_role,
            granted: role,
        });
    }
    if *scope == Scope::National && !matches!(role, Role::SuperAdmin | Role::Integrator) {
        return Err(GrantError::NationalScopeReserved);
    }
    if !own_scope.contains(scope) {
        return Err(GrantError::OutsideScope);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(code: &str) -> Scope {
        Scope::Region(RegionCode::parse(code).unwrap())
    }

    /// The matrix, row by row, as documented in the README.
    #[test]
    fn permission_matrix() {
        use Action::*;
        use Role::*;
        let rows: &[(Role, &[Action])] = &[
            (
                SuperAdmin,
                &[
                    ReadSelf,
                    ReadUsers,
                    ManageUsers,
                    ManageClients,
                    ReadAudit,
                    EditCalendar,
                    ReadRegistrations,
                    ReadPersonalData,
                    BindRepresentative,
                    CorrectOrganisation,
                    ReadReports,
                    ReadStatistics,
                    ReadComplaints,
                    ReadCases,
                    ReadSanctions,
                    ReadOversightDashboard,
                    ReadAttributePermits,
                    ReadGrants,
                    ReadConsultations,
                    ReadChanges,
                    ManageWebhooks,
                    ExportRegister,
                ],
            ),
            (
                Admin,
                &[
                    ReadSelf,
                    ReadUsers,
                    ManageUsers,
                    ManageClients,
                    ReadAudit,
                    ReadRegistrations,
                    ReadPersonalData,
                    BindRepresentative,
                    CorrectOrganisation,
                    ReadReports,
                    ReadStatistics,
                    ReadComplaints,
                    ReadCases,
                    ReadSanctions,
                    ReadOversightDashboard,
                    ReadAttributePermits,
                    ReadGrants,
                    ReadConsultations,
                    ReadChanges,
                    ManageWebhooks,
                    ExportRegister,
                ],
            ),
            (
                Officer,
                &[
                    ReadSelf,
                    ReadRegistrations,
                    ReadPersonalData,
                    CreateRegistration,
                    EditRegistration,
                    BindRepresentative,
                    CorrectOrganisation,
                    SubmitRegistration,
                    ReturnRegistration,
                    RejectRegistration,
                    ReadReports,
                    WriteReport,
                    AcceptReport,
                    ReturnReport,
                    ReadStatistics,
                    FileComplaint,
                    ReadComplaints,
                    ReadCases,
                    RecordVisit,
                    ReadSanctions,
                    ReadOversightDashboard,
                    ReadAttributePermits,
                    WriteAttributePermit,
                    ReviewAttributePermit,
                    RefuseAttributePermit,
                    ReadGrants,
                    WriteGrantProposal,
                    VerifyGrantProposal,
                    AdministerGrant,
                    ReadConsultations,
                    AnswerConsultation,
                    ReadChanges,
                    ExportRegister,
                ],
            ),
            (
                Head,
                &[
                    ReadSelf,
                    ReadRegistrations,
                    ReadPersonalData,
                    ApproveRegistration,
                    RejectRegistration,
                    DissolveRegistration,
                    ReadReports,
                    ReadStatistics,
                    ReadComplaints,
                    ReadComplainantIdentity,
                    TriageComplaint,
                    ReadCases,
                    ReadSanctions,
                    IssueWarning,
                    RecordSanctionDecision,
                    RecordCompliance,
                    ReadOversightDashboard,
                    ReadAttributePermits,
                    ApproveAttributePermit,
                    RefuseAttributePermit,
                    ReadGrants,
                    DecideGrantProposal,
                    ReadConsultations,
                    AnswerConsultation,
                    ReadChanges,
                    ExportRegister,
                ],
            ),
            (
                Oversight,
                &[
                    ReadSelf,
                    ReadRegistrations,
                    ReadPersonalData,
                    ReadReports,
                    ReadStatistics,
                    FileComplaint,
                    ReadComplaints,
                    ReadComplainantIdentity,
                    TriageComplaint,
                    ReadCases,
                    RunCases,
                    RecordVisit,
                    ReadSanctions,
                    RecordCompliance,
                    ReadOversightDashboard,
                    ReadAttributePermits,
                    ReadGrants,
                    ReadConsultations,
                    ReadChanges,
                    ExportRegister,
                ],
            ),
            (
                OrmasRep,
                &[
                    ReadSelf,
                    ReadRegistrations,
                    ReadPersonalData,
                    CreateRegistration,
                    EditRegistration,
                    SubmitRegistration,
                    ReadReports,
                    WriteReport,
                    ReadSanctions,
                    AnswerWarning,
                    ReadAttributePermits,
                    WriteAttributePermit,
                    ReadGrants,
                    WriteGrantProposal,
                    ReadConsultations,
                    AskConsultation,
                ],
            ),
            (
                Integrator,
                &[
                    ReadSelf,
                    ReadRegistrations,
                    ReadReports,
                    ReadStatistics,
                    ReadSanctions,
                    ReadAttributePermits,
                    ReadGrants,
                    ReadChanges,
                    ManageWebhooks,
                    ExportRegister,
                ],
            ),
        ];
        assert_eq!(rows.len(), Role::ALL.len());
        for (role, allowed) in rows {
            for &action in Action::ALL {
                assert_eq!(
                    allows(*role, action),
                    allowed.contains(&action),
                    "{role} × {}",
                    action.as_str()
                );
            }
        }
    }

    #[test]
    fn roles_round_trip() {
        for &role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn scopes_cover_their_subtree() {
        let kaltim = scope("64");
        assert!(kaltim.covers(&RegionCode::parse("64.71").unwrap()));
        assert!(!kaltim.covers(&RegionCode::parse("62.01").unwrap()));
        assert!(Scope::National.covers(&RegionCode::parse("62.01").unwrap()));
        assert!(kaltim.contains(&scope("64.71")));
        assert!(!scope("64.71").contains(&kaltim));
        assert!(!kaltim.contains(&Scope::National));
    }

    #[test]
    fn grants() {
        use Role::*;
        type Case = (Role, Scope, Role, Scope, Result<(), GrantError>);
        let cases: &[Case] = &[
            (
                SuperAdmin,
                Scope::National,
                SuperAdmin,
                Scope::National,
                Ok(()),
            ),
            (SuperAdmin, Scope::National, Admin, scope("64"), Ok(())),
            (Admin, scope("64"), Admin, scope("64.71"), Ok(())),
            (Admin, scope("64"), Officer, scope("64"), Ok(())),
            (Admin, scope("64.71"), Head, scope("64.71"), Ok(())),
            (Admin, scope("64.71"), Integrator, scope("64.71"), Ok(())),
            (
                Admin,
                scope("64.71"),
                SuperAdmin,
                Scope::National,
                Err(GrantError::RoleAboveOwn {
                    own: Admin,
                    granted: SuperAdmin,
                }),
            ),
            (
                Admin,
                scope("64.71"),
                Officer,
                scope("64.01"),
                Err(GrantError::OutsideScope),
            ),
            (
                Admin,
                scope("64.71"),
                Officer,
                scope("64"),
                Err(GrantError::OutsideScope),
            ),
            (
                Admin,
                scope("64"),
                Officer,
                scope("62"),
                Err(GrantError::OutsideScope),
            ),
            (
                Admin,
                scope("64"),
                Officer,
                Scope::National,
                Err(GrantError::NationalScopeReserved),
            ),
            (
                SuperAdmin,
                Scope::National,
                Admin,
                Scope::National,
                Err(GrantError::NationalScopeReserved),
            ),
            (
                Officer,
                scope("64"),
                OrmasRep,
                scope("64"),
                Err(GrantError::NotPermitted),
            ),
            (
                Head,
                scope("64"),
                Officer,
                scope("64"),
                Err(GrantError::NotPermitted),
            ),
        ];
        for (own_role, own_scope, role, target_scope, expected) in cases {
            assert_eq!(
                check_grant(*own_role, own_scope, *role, target_scope),
                *expected,
                "{own_role} {own_scope:?} grants {role} {target_scope:?}"
            );
        }
    }
}
