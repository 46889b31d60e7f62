using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MiniExcelLibs;
using Wenming.Tests.Infrastructure;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Orders;
using Wenming.Web.Features.Teams;
using Wenming.Web.Features.Volunteers;
using Wenming.Web.Infrastructure.Data;
using static Wenming.Tests.Infrastructure.TestData;

namespace Wenming.Tests;

/// <summary>
/// Walks every endpoint and page the application maps, as each demo role of one district, against its own unit, a unit
/// below it, a sibling subtree and another district, and compares what happened with the policy table below.
/// A new endpoint fails this test until it is added to the table.
/// </summary>
public sealed class PolicyTests
{
    public static TheoryData<string> Providers => TestHosts.Providers();

    internal enum Relation
    {
        Own,
        Child,
        Sibling,
        OtherDistrict,
    }

    internal sealed record Actor(string Suffix, Role Role, string OwnCode, string ChildCode, string? SiblingCode)
    {
        /// <summary>The demo volunteer (11) and team leader (10) are registered volunteers; the team leader leads the station's squad.</summary>
        public bool IsVolunteer => Suffix is "10" or "11";
    }

    private static readonly Actor[] Actors =
    [
        new("00", Role.Admin, HongtaCode, $"{HongtaCode}-01", null),
        new("01", Role.Admin, $"{HongtaCode}-01", $"{HongtaCode}-01-001", $"{HongtaCode}-02"),
        new("02", Role.Admin, $"{HongtaCode}-01-001", $"{HongtaCode}-01-001-G1", $"{HongtaCode}-02-001"),
        new("10", Role.TeamLeader, $"{HongtaCode}-01-001", $"{HongtaCode}-01-001-G1", $"{HongtaCode}-02-001"),
        new("11", Role.Volunteer, $"{HongtaCode}-01-001", $"{HongtaCode}-01-001-G1", $"{HongtaCode}-02-001"),
        new("20", Role.Resident, $"{HongtaCode}-01-001", $"{HongtaCode}-01-001-G1", $"{HongtaCode}-02-001"),
        new("30", Role.GridWorker, $"{HongtaCode}-01-001-G1", $"{HongtaCode}-01-001-G1-B1", $"{HongtaCode}-01-001-G2"),
        new("40", Role.Leader, HongtaCode, $"{HongtaCode}-01", null),
    ];

    private const string OtherDistrictCode = $"{JiulongpoCode}-01-001";

    /// <summary>Who may do what. "Reach" means the target is the actor's own unit or below it.</summary>
    private static readonly Dictionary<string, Func<Actor, Relation, bool>> Policy = new()
    {
        ["GET /api/v1/me"] = (_, _) => true,
        ["PUT /api/v1/me/elderly-mode"] = (_, _) => true, // an empty choice: 400 for everyone signed in
        ["GET /api/v1/platforms"] = (_, _) => true,
        ["PUT /api/v1/platforms"] = (a, _) => a.Role == Role.Admin && a.Suffix == "00",
        ["GET /api/v1/audit"] = (a, _) => a.Role == Role.Admin,
        ["GET /api/v1/units/import-template"] = (_, _) => true,
        ["POST /api/v1/units/import"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["GET /api/v1/units/{id}"] = (_, r) => Reach(r),
        ["GET /api/v1/units/{id}/children"] = (_, r) => Reach(r),
        ["GET /api/v1/units/{id}/tree"] = (_, r) => Reach(r),
        ["GET /api/v1/units/{id}/export"] = (a, r) => a.Role is Role.Admin or Role.Leader && Reach(r),
        ["POST /api/v1/units"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["PUT /api/v1/units/{id}"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["POST /api/v1/units/{id}/move"] = (a, r) => a.Role == Role.Admin && r == Relation.Child,
        ["POST /api/v1/units/{id}/close"] = (a, r) => a.Role == Role.Admin && r == Relation.Child,
        ["GET /api/v1/units/{id}/roles"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["POST /api/v1/units/{id}/roles"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["POST /api/v1/roles/{id}/revoke"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["GET /api/v1/volunteers"] = (a, _) => a.Role is Role.Admin or Role.Leader,
        ["POST /api/v1/volunteers"] = (_, _) => true,
        ["GET /api/v1/volunteers/{id}"] = (a, r) => a.Role is Role.Admin or Role.Leader && Reach(r),
        ["POST /api/v1/volunteers/{id}/approve"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["POST /api/v1/volunteers/{id}/reject"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["POST /api/v1/volunteers/{id}/suspend"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["POST /api/v1/volunteers/{id}/reinstate"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["POST /api/v1/volunteers/{id}/reveal"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["GET /api/v1/volunteers/me"] = (a, _) => a.IsVolunteer,
        ["PUT /api/v1/volunteers/me"] = (a, _) => a.IsVolunteer,
        ["GET /api/v1/volunteers/me/export"] = (a, _) => a.IsVolunteer,
        ["POST /api/v1/volunteers/me/leave"] = (a, _) => a.IsVolunteer,
        ["POST /api/v1/volunteers/me/photo"] = (a, _) => a.IsVolunteer,
        ["GET /api/v1/volunteers/{id}/photo"] = (a, r) => a.Role is Role.Admin or Role.Leader && Reach(r),
        ["GET /api/v1/volunteers/export"] = (a, _) => a.Role is Role.Admin or Role.Leader,
        ["GET /api/v1/volunteers/import-template"] = (_, _) => true,
        ["POST /api/v1/volunteers/import"] = (a, _) => a.Role == Role.Admin,
        ["GET /api/v1/import-jobs/{id}"] = (a, _) => a.Role == Role.Admin, // only the admin who started the job
        ["GET /api/v1/import-jobs/{id}/errors.xlsx"] = (a, _) => a.Role == Role.Admin,
        ["GET /Volunteers"] = (a, _) => a.Role is Role.Admin or Role.Leader,
        ["GET /Volunteers/Register"] = (_, _) => true,
        ["GET /Volunteers/Me"] = (_, _) => true,
        ["GET /Volunteers/Import"] = (a, _) => a.Role == Role.Admin,
        ["GET /Teams"] = (_, _) => true,
        ["GET /Teams/Demands"] = (a, _) => a.Role is Role.Admin or Role.Leader or Role.TeamLeader,
        ["GET /Teams/Detail"] = (_, r) => Reach(r),
        ["GET /api/v1/options/{list}"] = (_, _) => true,
        ["PUT /api/v1/options/{list}"] = (a, _) => a.Role == Role.Admin && a.Suffix == "00",
        ["GET /api/v1/teams"] = (_, _) => true,
        ["GET /api/v1/teams/export"] = (a, _) => a.Role is Role.Admin or Role.Leader,
        ["GET /api/v1/teams/import-template"] = (_, _) => true,
        ["POST /api/v1/teams/import"] = (a, _) => a.Role == Role.Admin,
        ["POST /api/v1/teams"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["GET /api/v1/teams/{id}"] = (_, r) => Reach(r),
        // Anyone who sees the team may ask; a non-volunteer is then refused by the rule (422), not by scope.
        ["POST /api/v1/teams/{id}/join"] = (_, r) => Reach(r),
        ["POST /api/v1/teams/{id}/members/{memberId}/accept"] = LeadsOrAdministers,
        ["POST /api/v1/teams/{id}/members/{memberId}/decline"] = LeadsOrAdministers,
        ["POST /api/v1/teams/{id}/menu"] = LeadsOrAdministers,
        ["GET /api/v1/menu"] = (_, _) => true,
        ["GET /api/v1/demands"] = (a, _) => a.Role is Role.Admin or Role.Leader or Role.TeamLeader,
        ["GET /api/v1/demands/export"] = (a, _) => a.Role is Role.Admin or Role.Leader,
        ["POST /api/v1/demands"] = (_, r) => Reach(r),
        ["GET /api/v1/demands/mine"] = (_, _) => true,
        ["GET /api/v1/demands/summary"] = (a, _) => a.Role is Role.Admin or Role.Leader,
        // A need raised on the target unit: answered, declined or linked by the admins over it (an empty body: 400 once allowed).
        ["POST /api/v1/demands/{id}/answer"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["POST /api/v1/demands/{id}/decline"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["POST /api/v1/demands/{id}/became"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["POST /api/v1/orders"] = (_, _) => true, // an empty order: 400 for everyone signed in
        ["GET /api/v1/orders"] = (_, _) => true,
        ["GET /api/v1/orders/notices"] = (_, _) => true,
        ["GET /api/v1/orders/board"] = (a, _) => a.Role is Role.Admin or Role.Leader,
        ["GET /api/v1/orders/export"] = (a, _) => a.Role is Role.Admin or Role.Leader,
        // An order someone else placed on the target unit: seen by admins and leaders over it, moved only by admins over its holder.
        ["GET /api/v1/orders/{id}"] = (a, r) => a.Role is Role.Admin or Role.Leader && Reach(r),
        ["POST /api/v1/orders/{id}/actions/{action}"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["GET /api/v1/orders/{id}/recommendations"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["POST /api/v1/orders/{id}/photos"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["GET /api/v1/orders/{id}/photos/{photoId:guid}"] = (a, r) => a.Role is Role.Admin or Role.Leader && Reach(r),
        ["POST /api/v1/orders/{id}/reveal-contact"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["GET /api/v1/workflow"] = (_, _) => true,
        ["PUT /api/v1/workflow"] = (a, _) => a.Role == Role.Admin && a.Suffix == "00",
        ["GET /hubs/orders"] = (_, _) => true,
        ["GET /hubs/orders/negotiate"] = (_, _) => true,
        ["GET /Orders"] = (_, _) => true,
        ["GET /Orders/New"] = (_, _) => true,
        ["GET /Orders/Board"] = (a, _) => a.Role is Role.Admin or Role.Leader,
        ["GET /Orders/Detail"] = (a, r) => a.Role is Role.Admin or Role.Leader && Reach(r),
        ["GET /Orders/Workflow"] = (_, _) => true,
        ["GET /api/v1/activity-library"] = (_, _) => true,
        ["POST /api/v1/activity-library"] = (_, _) => true, // an empty proposal: 400 for everyone
        ["POST /api/v1/activity-library/{id}/approve"] = (a, r) => a.Suffix == "00" && Reach(r),
        ["POST /api/v1/activity-library/{id}/return"] = (a, r) => a.Suffix == "00" && Reach(r),
        ["GET /api/v1/activity-rules"] = (_, _) => true,
        ["PUT /api/v1/activity-rules"] = (a, _) => a.Role == Role.Admin && a.Suffix == "00",
        ["GET /api/v1/activities"] = (_, _) => true,
        ["GET /api/v1/activities/export"] = (a, _) => a.Role is Role.Admin or Role.Leader,
        ["POST /api/v1/activities"] = (_, _) => true, // an empty activity: 400 for everyone
        // An activity organised on the target unit: seen from its unit, below and above; run by admins over it.
        ["GET /api/v1/activities/{id}"] = (_, r) => Reach(r),
        ["POST /api/v1/activities/{id}/signups"] = (_, r) => Reach(r),
        ["POST /api/v1/activities/{id}/signups/cancel"] = (_, r) => Reach(r),
        ["POST /api/v1/activities/{id}/check-ins"] = (_, r) => Reach(r), // then 422: the venue code is missing
        ["GET /api/v1/activities/{id}/attendance"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["GET /api/v1/activities/{id}/attendance/export"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["POST /api/v1/activities/{id}/attendance"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["POST /api/v1/activities/{id}/report"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["POST /api/v1/activities/{id}/photos"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["GET /api/v1/activities/{id}/photos/{photoId:guid}"] = (_, r) => Reach(r),
        ["GET /api/v1/activities/{id}/venue-code"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["GET /api/v1/activities/{id}/venue-code.png"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["GET /api/v1/plans"] = (a, _) => a.Role is Role.Admin or Role.Leader,
        ["GET /api/v1/plans/export"] = (a, _) => a.Role is Role.Admin or Role.Leader,
        ["POST /api/v1/plans"] = (a, _) => a.Role == Role.Admin,
        ["GET /api/v1/projects"] = (_, _) => true,
        ["GET /api/v1/projects/export"] = (a, _) => a.Role is Role.Admin or Role.Leader,
        ["POST /api/v1/projects"] = (_, _) => true, // an empty project: 400 for everyone
        ["GET /api/v1/projects/{id}"] = (_, r) => Reach(r),
        ["POST /api/v1/projects/{id}/orders/{orderId:guid}"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["GET /api/v1/lectures/totals"] = (_, _) => true,
        ["POST /api/v1/calendars/mine"] = (_, _) => true,
        ["GET /Activities"] = (_, _) => true,
        ["GET /Activities/Detail"] = (_, r) => Reach(r),
        ["GET /Activities/Venue"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["GET /a/{id}"] = (_, r) => Reach(r),
        ["GET /Activities/New"] = (_, _) => true,
        ["GET /Activities/Library"] = (_, _) => true,
        ["GET /Activities/Plan"] = (a, _) => a.Role is Role.Admin or Role.Leader,
        ["GET /Activities/Projects"] = (_, _) => true,
        ["GET /"] = (_, _) => true,
        ["GET /Accounts/Denied"] = (_, _) => true,
        ["GET /Accounts/Logout"] = (_, _) => true,
        ["GET /Organization"] = (_, r) => Reach(r),
        ["GET /Organization/Edit"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["GET /Organization/Import"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["GET /Organization/Roles"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["GET /Organization/Platforms"] = (a, _) => a.Role == Role.Admin && a.Suffix == "00",
        ["GET /api/v1/open311/keys"] = (a, _) => a.Role == Role.Admin && a.Suffix == "00",
        ["POST /api/v1/open311/keys"] = (a, _) => a.Role == Role.Admin && a.Suffix == "00", // a nameless key: 400 for the center admin
        ["POST /api/v1/open311/keys/{keyId:guid}/revoke"] = (a, _) => a.Role == Role.Admin && a.Suffix == "00", // a scratch key of the district
        ["GET /Orders/PartnerKeys"] = (a, _) => a.Role == Role.Admin && a.Suffix == "00",
        ["GET /Audit"] = (a, _) => a.Role == Role.Admin,
        // Someone else's hours and records: admins and leaders over their home station; certified and backfilled by admins (an
        // empty period or body: 400 once allowed; only the organising unit's admins certify, RecordTests); the caller's own records page for everyone.
        ["GET /api/v1/volunteers/{id}/hours"] = (a, r) => a.Role is Role.Admin or Role.Leader && Reach(r),
        ["GET /api/v1/volunteers/{id}/records"] = (a, r) => a.Role is Role.Admin or Role.Leader && Reach(r),
        ["GET /api/v1/volunteers/{id}/certificate"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["POST /api/v1/volunteers/{id}/records"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["GET /api/v1/volunteers/{id}/stars"] = (a, r) => a.Role is Role.Admin or Role.Leader && Reach(r),
        ["POST /api/v1/volunteers/{id}/stars"] = (a, r) => a.Role == Role.Admin && Reach(r), // hours short of a star: 422 once allowed
        ["GET /api/v1/teams/{id}/work"] = (_, r) => Reach(r),
        ["GET /api/v1/records/rules"] = (_, _) => true,
        ["PUT /api/v1/records/rules"] = (a, _) => a.Role == Role.Admin && a.Suffix == "00",
        ["GET /api/v1/records/correction-requests"] = (a, _) => a.Role == Role.Admin,
        ["GET /api/v1/records/ranking"] = (a, _) => a.Role is Role.Admin or Role.Leader,
        ["GET /api/v1/records/export"] = (a, _) => a.Role is Role.Admin or Role.Leader,
        ["GET /api/v1/records/totals"] = (a, _) => a.Role is Role.Admin or Role.Leader,
        // A volunteer's pending request about a record the target unit organised: its admins and those above answer (400 without a reason).
        ["POST /api/v1/records/correction-requests/{id}/accept"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["POST /api/v1/records/correction-requests/{id}/refuse"] = (a, r) => a.Role == Role.Admin && Reach(r),
        // A record of the caller's own: only a volunteer has one to ask about (400 without minutes and reason).
        ["POST /api/v1/records/{recordId:guid}/correction-requests"] = (a, _) => a.IsVolunteer,
        ["GET /Records/{volunteerId:guid?}"] = (_, _) => true,
        ["GET /Records/Bulk"] = (a, _) => a.Role == Role.Admin,
        ["POST /api/v1/certificates/bulk"] = (a, _) => a.Role == Role.Admin, // nothing chosen: 400 for admins
        // Progress and zip of a batch of certificates: only for the admin who started it (BulkCertificateTests), so a unit's id as the job is 404 to everyone.
        ["GET /api/v1/certificates/bulk/{id}"] = (_, _) => false,
        ["GET /api/v1/certificates/bulk/{id}/zip"] = (_, _) => false,
        ["GET /api/v1/honours/titles"] = (_, _) => true,
        ["PUT /api/v1/honours/titles"] = (a, _) => a.Role == Role.Admin && a.Suffix == "00", // an empty list: 400 for the center
        ["GET /api/v1/honours/rules"] = (_, _) => true,
        ["PUT /api/v1/honours/rules"] = (a, _) => a.Role == Role.Admin && a.Suffix == "00", // out of range: 400 for the center
        ["POST /api/v1/honours/awards"] = (a, _) => a.Role == Role.Admin, // nothing chosen: 400 for admins
        // An honour given on the target unit: withdrawn (400 without a reason) by its admins and those above.
        ["POST /api/v1/honours/awards/{id}/withdraw"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["GET /api/v1/honours/board"] = (_, _) => true,
        ["POST /api/v1/honours/monthly-stars"] = (a, _) => a.Role == Role.Admin, // a month before 2000: 400 for admins
        ["GET /api/v1/honours/rounds"] = (_, _) => true,
        ["POST /api/v1/honours/rounds"] = (a, _) => a.Role == Role.Admin, // nothing chosen: 400 for admins
        // A vote open on the target unit: public to the whole district, run by the unit's admins and those above.
        ["GET /api/v1/honours/rounds/{id}"] = (_, r) => r != Relation.OtherDistrict,
        ["POST /api/v1/honours/rounds/{id}/votes"] = (_, r) => r != Relation.OtherDistrict, // no nominee chosen: 400
        ["POST /api/v1/honours/rounds/{id}/nominees"] = (a, r) => a.Role == Role.Admin && Reach(r), // nothing filled in: 400
        ["POST /api/v1/honours/rounds/{id}/close"] = (a, r) => a.Role == Role.Admin && Reach(r), // still open: 422
        ["GET /Honours"] = (_, _) => true,
        // Points: one's own account for a volunteer; someone else's for admins and leaders over their home station; the ledger of a subtree.
        ["GET /api/v1/points/me"] = (a, _) => a.IsVolunteer,
        ["GET /api/v1/points/accounts/{id}"] = (a, r) => a.Role is Role.Admin or Role.Leader && Reach(r),
        ["GET /api/v1/points/ledger"] = (a, _) => a.Role is Role.Admin or Role.Leader,
        ["GET /api/v1/points/rules"] = (_, _) => true,
        ["PUT /api/v1/points/rules"] = (a, _) => a.Role == Role.Admin && a.Suffix == "00",
        // The shop: seen by all who reach it; stocked by admins over its unit (400 without a name or quantity once allowed); a
        // redemption without an item is 400 for everyone; settling someone else's (cancelled: 409 once allowed) is for the shop's admins.
        ["GET /api/v1/shop/items"] = (_, _) => true,
        ["POST /api/v1/shop/items"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["POST /api/v1/shop/items/{id}/restock"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["GET /api/v1/shop/redemptions"] = (_, _) => true,
        ["POST /api/v1/shop/redemptions"] = (_, _) => true,
        ["POST /api/v1/shop/redemptions/{id}/collect"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["POST /api/v1/shop/redemptions/{id}/cancel"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["GET /api/v1/shop/export/stock"] = (a, _) => a.Role is Role.Admin or Role.Leader,
        ["GET /api/v1/shop/export/redemptions"] = (a, _) => a.Role is Role.Admin or Role.Leader,
        ["GET /Points"] = (_, _) => true,
        // The red/yellow list: the district's list and rules for all, changed by the center (an empty list or a bad display: 400);
        // events recorded by admins and grid workers (no phone: 400), whose reach follows the resident's place; appeals by the
        // resident alone (no reason: 400), decided by the institute or the center (no note: 400); benefits decided by admins.
        ["GET /api/v1/conduct/items"] = (_, _) => true,
        ["PUT /api/v1/conduct/items"] = (a, _) => a.Role == Role.Admin && a.Suffix == "00",
        ["GET /api/v1/conduct/rules"] = (_, _) => true,
        ["PUT /api/v1/conduct/rules"] = (a, _) => a.Role == Role.Admin && a.Suffix == "00",
        ["POST /api/v1/conduct/events"] = (a, _) => a.Role is Role.Admin or Role.GridWorker,
        ["GET /api/v1/conduct/events"] = (a, _) => a.Role is Role.Admin or Role.Leader or Role.GridWorker,
        ["POST /api/v1/conduct/events/{id}/photo"] = (a, r) => a.Role is Role.Admin or Role.GridWorker && Reach(r),
        ["GET /api/v1/conduct/events/{id}/photo"] = (a, r) => a.Role is Role.Admin or Role.Leader or Role.GridWorker && Reach(r),
        ["POST /api/v1/conduct/events/{id}/appeal"] = (a, r) => a.Role == Role.Resident && r != Relation.OtherDistrict,
        ["POST /api/v1/conduct/events/{id}/decide"] = (a, r) => a.Role == Role.Admin && a.Suffix is "00" or "01" && Reach(r),
        ["GET /api/v1/conduct/me"] = (a, _) => a.Role == Role.Resident || a.IsVolunteer,
        ["GET /api/v1/conduct/residents/{id}"] = (a, r) => a.Role is Role.Admin or Role.Leader or Role.GridWorker && Reach(r),
        ["POST /api/v1/conduct/residents/{id}/benefits/{benefitId:guid}"] = (a, r) => a.Role == Role.Admin && Reach(r),
        ["GET /api/v1/conduct/paused"] = (a, _) => a.Role is Role.Admin or Role.Leader,
        ["GET /RedYellowList"] = (_, _) => true,
        // The dashboard of the caller's own unit (without ?unit=) for admins and leaders.
        ["GET /api/v1/dashboard"] = (a, _) => a.Role is Role.Admin or Role.Leader,
        ["GET /api/v1/dashboard/export"] = (a, _) => a.Role is Role.Admin or Role.Leader,
        ["GET /api/v1/dashboard/rankings"] = (a, _) => a.Role is Role.Admin or Role.Leader,
        ["GET /api/v1/dashboard/screen"] = (a, _) => a.Role is Role.Admin or Role.Leader,
        ["GET /Dashboards/Screen"] = (a, _) => a.Role is Role.Admin or Role.Leader,
        ["GET /api/v1/dashboard/rankings/export"] = (a, _) => a.Role is Role.Admin or Role.Leader,
        ["GET /Dashboards"] = (a, _) => a.Role is Role.Admin or Role.Leader,
        // The yearly assessment: indicators for all to read, set by the center (an empty list: 400); results for admins and
        // leaders of their own unit; manual scores by the center (nothing chosen: 400).
        ["GET /api/v1/assessments/{year:int}/indicators"] = (_, _) => true,
        ["PUT /api/v1/assessments/{year:int}/indicators"] = (a, _) => a.Role == Role.Admin && a.Suffix == "00",
        ["GET /api/v1/assessments/{year:int}"] = (a, _) => a.Role is Role.Admin or Role.Leader,
        ["POST /api/v1/assessments/{year:int}/scores"] = (a, _) => a.Role == Role.Admin && a.Suffix == "00",
        ["GET /api/v1/assessments/{year:int}/export"] = (a, _) => a.Role is Role.Admin or Role.Leader,
        ["GET /Dashboards/Assessment"] = (a, _) => a.Role is Role.Admin or Role.Leader,
    };

    /// <summary>Open to anyone, signed in or not.</summary>
    private static readonly HashSet<string> Public =
    [
        "POST /api/v1/auth/login", "POST /api/v1/auth/sms-code", "POST /api/v1/auth/login-sms", "GET /Accounts/Login",
        "GET /set-culture", "POST /preferences/elderly", "GET /openapi/{documentName}.json", "GET /api/docs/{documentName?}", "GET /api/docs/favicon.svg",
        "GET /api/docs/scalar.aspnetcore.js", "GET /api/docs/scalar.js", "GET /api/v1/reviews/{districtCode}", "GET /reviews/{districtCode}",
        "GET /o/{token}", "GET /health/live", "GET /health/ready", "GET /calendars/units/{id}.ics", "GET /calendars/teams/{id}.ics", "GET /calendars/me/{token}.ics",
        "HEAD /calendars/units/{id}.ics", "HEAD /calendars/teams/{id}.ics", "HEAD /calendars/me/{token}.ics",
        // Open311 GeoReport v2: GETs are public by the spec; a POST proves itself with its partner api_key, not a session.
        "GET /open311/v2/discovery.{format}", "GET /open311/v2/services.{format}", "GET /open311/v2/services/{service_code}.{format}",
        "GET /open311/v2/requests.{format}", "POST /open311/v2/requests.{format}", "GET /open311/v2/requests/{service_request_id}.{format}",
        "GET /open311/v2/servicerequestupdates.{format}",
        // What nothing else serves: the spec's 404 error document.
        "GET /open311/v2/{**path}",
        // A certificate's verification, where its QR code leads.
        "GET /api/v1/certificates/{code}", "GET /c/{code}",
        // A station's honour board, for its wall.
        "GET /h/{id}",
    ];

    private static bool Reach(Relation r) => r is Relation.Own or Relation.Child;

    /// <summary>Admins over the team's unit, and the team leader (10) for the squad they lead, the first team on their station.</summary>
    private static bool LeadsOrAdministers(Actor a, Relation r) => a.Role == Role.Admin && Reach(r) || a.Suffix == "10" && r == Relation.Own;

    private static bool TargetsAUnit(string key) => key.Contains("{id}", StringComparison.Ordinal) && !key.StartsWith("GET /api/v1/import-jobs/{id}", StringComparison.Ordinal)
        || key is "POST /api/v1/units" or "POST /api/v1/units/import" or "POST /api/v1/teams" or "POST /api/v1/demands" or "POST /api/v1/shop/items"
        || key.StartsWith("GET /Organization", StringComparison.Ordinal) && key != "GET /Organization/Platforms" || key is "GET /Teams/Detail" or "GET /Orders/Detail" or "GET /Activities/Detail" or "GET /Activities/Venue" or "GET /a/{id}";

    /// <summary>Checked only where it must refuse: allowing it would spend the demo volunteer (a dedicated test covers it).</summary>
    private static readonly HashSet<string> DenyOnly = ["POST /api/v1/volunteers/me/leave"];

    internal static List<string> MappedEndpoints(TestHost host)
    {
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var raw = "/" + (endpoint.RoutePattern.RawText ?? "").Trim('/');
            raw = raw.Replace("{id:guid}", "{id}", StringComparison.Ordinal).Replace("{memberId:guid}", "{memberId}", StringComparison.Ordinal);
            if (raw.EndsWith("/Index", StringComparison.Ordinal))
            {
                raw = raw[..^"/Index".Length];
            }

            raw = raw == "/Index" || raw.Length == 0 ? "/" : raw;
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            foreach (var m in methods)
            {
                keys.Add($"{m} {raw}");
            }
        }

        return [.. keys];
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Every_endpoint_and_page_answers_each_role_as_the_policy_table_says(string provider)
    {
        var host = TestHosts.Get(provider);
        var endpoints = MappedEndpoints(host);
        var unknown = endpoints.Where(e => !Policy.ContainsKey(e) && !Public.Contains(e)).ToList();
        Assert.True(unknown.Count == 0, "Endpoints missing from the policy table: " + string.Join(", ", unknown));

        var failures = new List<string>();
        var checkedCount = 0;
        foreach (var actor in Actors)
        {
            var client = await host.ClientAsAsync(TestHost.Phone(Hongta, actor.Suffix));
            client.DefaultRequestHeaders.Accept.ParseAdd("application/json");
            foreach (var key in endpoints.Where(Policy.ContainsKey))
            {
                var relations = TargetsAUnit(key)
                    ? new[] { Relation.Own, Relation.Child, Relation.Sibling, Relation.OtherDistrict }.Where(r => r != Relation.Sibling || actor.SiblingCode is not null)
                    : [Relation.Own];
                foreach (var relation in relations)
                {
                    var code = relation switch
                    {
                        Relation.Own => actor.OwnCode,
                        Relation.Child => actor.ChildCode,
                        Relation.Sibling => actor.SiblingCode!,
                        _ => OtherDistrictCode,
                    };
                    var expected = Policy[key](actor, relation);
                    if (expected && DenyOnly.Contains(key))
                    {
                        continue;
                    }

                    var target = await host.UnitIdAsync(code);
                    using var request = await RequestAsync(host, key, target, code, TestHost.Phone(Hongta, actor.Suffix));
                    if (request is null)
                    {
                        continue; // nothing of that kind sits on this unit (e.g. no team on a grid)
                    }

                    using var response = await client.SendAsync(request);
                    var allowed = await AllowedAsync(key, response);
                    checkedCount++;
                    if (allowed != expected)
                    {
                        failures.Add($"{key} as {actor.Role}({actor.Suffix}) on {relation}: expected {(expected ? "allow" : "deny")}, got {(int)response.StatusCode}");
                    }
                    else if (!allowed && relation is Relation.OtherDistrict or Relation.Sibling && key != "POST /api/v1/units/import"
                             && response.StatusCode != HttpStatusCode.NotFound)
                    {
                        failures.Add($"{key} as {actor.Role}({actor.Suffix}) on {relation}: denied with {(int)response.StatusCode}, must be 404");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {checkedCount} checks differ from the policy:\n" + string.Join("\n", failures));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Without_signing_in_every_non_public_endpoint_refuses(string provider)
    {
        var host = TestHosts.Get(provider);
        using var client = host.ClientWithoutRedirects();
        var target = await host.UnitIdAsync(HongtaCode);
        var failures = new List<string>();
        foreach (var key in MappedEndpoints(host).Where(e => !Public.Contains(e)))
        {
            using var request = await RequestAsync(host, key, target, HongtaCode, null) ?? new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
            using var response = await client.SendAsync(request);
            var refused = response.StatusCode == HttpStatusCode.Unauthorized
                          || response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location?.ToString().Contains("/Accounts/Login", StringComparison.Ordinal) == true;
            if (!refused)
            {
                failures.Add($"{key}: {(int)response.StatusCode}");
            }
        }

        Assert.True(failures.Count == 0, "Reachable without signing in: " + string.Join(", ", failures));
    }

    /// <summary>
    /// A request that would succeed if allowed but changes nothing that matters: stale versions (409), a taken code
    /// (409), a phone of another district (422), a fresh throwaway role to revoke.
    /// </summary>
    private static async Task<HttpRequestMessage?> RequestAsync(TestHost host, string key, Guid target, string targetCode, string? actorPhone)
    {
        var memberId = Guid.Empty;
        if (key.StartsWith("POST /api/v1/volunteers/{id}", StringComparison.Ordinal) || key.StartsWith("GET /api/v1/volunteers/{id}", StringComparison.Ordinal)
            || key == "GET /api/v1/points/accounts/{id}")
        {
            // Someone else's record whose home unit lies in the target's subtree.
            var found = await host.WithDbAsync(async db =>
            {
                var path = await db.Units.Where(u => u.Id == target).Select(u => u.Path).SingleAsync();
                return await db.Set<Volunteer>().Where(v => v.HomeUnit!.Path.StartsWith(path) && v.Status == VolunteerStatus.Active
                                                            && db.Users.Any(u => u.Id == v.UserId && u.UserName != actorPhone))
                    .Select(v => (Guid?)v.Id).FirstOrDefaultAsync();
            });
            if (found is null)
            {
                return null;
            }

            target = found.Value;
            if (key == "GET /api/v1/volunteers/{id}/photo")
            {
                await GivePhotoAsync(host, target);
            }
        }
        else if (key.StartsWith("GET /api/v1/teams/{id}", StringComparison.Ordinal) || key.StartsWith("POST /api/v1/teams/{id}", StringComparison.Ordinal)
                 || key == "GET /Teams/Detail")
        {
            var team = await host.WithDbAsync(db => db.Set<Team>().Where(t => t.UnitId == target).OrderBy(t => t.Level).Select(t => (Guid?)t.Id).FirstOrDefaultAsync());
            if (team is null)
            {
                return null;
            }

            target = team.Value;
            if (key.Contains("{memberId}", StringComparison.Ordinal))
            {
                // A fresh join request from a volunteer of the same district, to be accepted or declined.
                memberId = await host.WithDbAsync(async db =>
                {
                    var t = await db.Set<Team>().SingleAsync(x => x.Id == team.Value);
                    var volunteer = await db.Set<Volunteer>().Where(v => v.DistrictId == t.DistrictId && v.Status == VolunteerStatus.Active
                                                                        && !db.Set<TeamMember>().Any(m => m.TeamId == t.Id && m.VolunteerId == v.Id))
                        .Select(v => v.Id).FirstAsync();
                    var member = new TeamMember(t.DistrictId, t.Id, volunteer, DateTimeOffset.UtcNow);
                    db.Add(member);
                    await db.SaveChangesAsync();
                    return member.Id;
                });
            }
        }

        if (key.Contains("/correction-requests/{id}", StringComparison.Ordinal))
        {
            target = await Records.RecordTests.CorrectionRequestOnUnitAsync(host, target);
        }

        if (key == "POST /api/v1/shop/items/{id}/restock")
        {
            target = await Points.PointsData.ItemOnUnitAsync(host, target);
        }
        else if (key.StartsWith("POST /api/v1/shop/redemptions/{id}", StringComparison.Ordinal))
        {
            target = await Points.PointsData.CancelledRedemptionOnUnitAsync(host, target);
        }

        var photoId = Guid.Empty;
        var orderId = Guid.Empty;
        if (key.Contains("/activities/{id}", StringComparison.Ordinal) || key is "GET /Activities/Detail" or "GET /Activities/Venue" or "GET /a/{id}")
        {
            target = await Activities.ActivityData.ActivityOnUnitAsync(host, target, key.EndsWith("/signups/cancel", StringComparison.Ordinal) ? actorPhone : null);
            if (key.Contains("{photoId", StringComparison.Ordinal))
            {
                photoId = await Activities.ActivityData.GivePhotoAsync(host, target);
            }
        }
        else if (key.Contains("/conduct/events/{id}", StringComparison.Ordinal))
        {
            // The resident's own event when the resident appeals; otherwise one of a scratch resident of the unit.
            Guid? owner = key.EndsWith("/appeal", StringComparison.Ordinal) && actorPhone is not null && actorPhone.EndsWith("20", StringComparison.Ordinal)
                ? await host.WithDbAsync(db => db.Users.Where(u => u.UserName == actorPhone).Select(u => u.Id).SingleAsync())
                : null;
            target = await RedYellowList.ConductData.EventOnUnitAsync(host, target, owner, key == "GET /api/v1/conduct/events/{id}/photo");
        }
        else if (key.Contains("/conduct/residents/{id}", StringComparison.Ordinal))
        {
            target = await RedYellowList.ConductData.ResidentOnUnitAsync(host, target);
        }
        else if (key.StartsWith("POST /api/v1/demands/{id}", StringComparison.Ordinal))
        {
            target = await Teams.DemandData.DemandOnUnitAsync(host, target);
        }
        else if (key.Contains("/honours/rounds/{id}", StringComparison.Ordinal))
        {
            target = await Honours.HonourData.RoundOnUnitAsync(host, target);
        }
        else if (key.Contains("/honours/awards/{id}", StringComparison.Ordinal))
        {
            target = await Honours.HonourData.AwardOnUnitAsync(host, target);
        }
        else if (key.Contains("/activity-library/{id}", StringComparison.Ordinal))
        {
            target = await Activities.ActivityData.ProposalOnUnitAsync(host, target);
        }
        else if (key.Contains("/projects/{id}", StringComparison.Ordinal))
        {
            var project = await Activities.ActivityData.ProjectOnUnitAsync(host, target);
            if (key.Contains("{orderId", StringComparison.Ordinal))
            {
                orderId = (await Orders.OrderFlow.OrderOnUnitAsync(host, target)).Id;
            }

            target = project;
        }
        else if (key.Contains("/orders/{id}", StringComparison.Ordinal) || key == "GET /Orders/Detail")
        {
            // A fresh order on the target unit, placed by someone else (a partner), so its requester is nobody here.
            var order = await Orders.OrderFlow.OrderOnUnitAsync(host, target);
            target = order.Id;
            if (key.Contains("{photoId", StringComparison.Ordinal))
            {
                photoId = await Orders.OrderFlow.GivePhotoAsync(host, order.Id);
            }
        }

        var space = key.IndexOf(' ', StringComparison.Ordinal);
        var method = new HttpMethod(key[..space]);
        var path = key[(space + 1)..];
        object? body = null;
        HttpContent? content = null;
        switch (key)
        {
            case "PUT /api/v1/platforms":
                body = await host.WithDbAsync(db => db.Platforms.Where(p => p.DistrictId == db.Districts.Single(d => d.Code == HongtaCode).Id && p.IsActive)
                    .OrderBy(p => p.SortOrder).Select(p => new { id = p.Id, name = p.Name }).ToListAsync());
                break;
            case "POST /api/v1/units":
                body = new { parentId = target, kind = "Point", name = "策略测试点", code = HongtaCode };
                break;
            case "PUT /api/v1/units/{id}":
                body = new { name = "策略测试", code = targetCode, version = 99999 };
                break;
            case "POST /api/v1/units/{id}/move":
                var parent = await host.WithDbAsync(db => db.Units.Where(u => u.Id == target).Select(u => u.ParentId).SingleAsync());
                body = new { newParentId = parent ?? target, version = 99999 };
                break;
            case "POST /api/v1/units/{id}/close":
                body = new { version = 99999 };
                break;
            case "POST /api/v1/units/{id}/roles":
                body = new { phone = "13803000020", role = "Resident" }; // Kaizhou's demo resident: refused by rule if allowed by scope
                break;
            case "POST /api/v1/volunteers":
                body = new { name = "策略", idNumber = "123" }; // refused by validation (400) once past sign-in
                break;
            case "POST /api/v1/volunteers/me/photo":
                content = new MultipartFormDataContent { { new ByteArrayContent("not an image"u8.ToArray()), "file", "p.jpg" } }; // 422 once past scope
                break;
            case "POST /api/v1/volunteers/{id}/reveal":
                body = new { field = "phone", reason = "策略测试：核对联系方式" };
                break;
            case "PUT /api/v1/volunteers/me":
                body = new { name = "" }; // 400 for a volunteer, 404 for anyone else
                break;
            case "PUT /api/v1/options/{list}":
                body = OptionItemDefaults;
                break;
            case "POST /api/v1/teams":
                body = new { unitId = target, level = "小队", name = "策略测试小队" };
                break;
            case "POST /api/v1/teams/{id}/menu":
                body = new
                {
                    title = "策略测试服务",
                    platformId = await host.WithDbAsync(db => db.Set<Team>().Where(t => t.Id == target)
                    .Select(t => db.Platforms.Where(p => p.DistrictId == t.DistrictId).Select(p => p.Id).First()).SingleAsync()),
                    capacity = 1
                };
                break;
            case "POST /api/v1/orders":
                body = new { title = "" };
                break;
            case "POST /api/v1/open311/keys":
                body = new { name = "" };
                break;
            case "POST /api/v1/orders/{id}/actions/{action}":
                body = new { note = "策略测试" };
                break;
            case "PUT /api/v1/workflow":
            case "PUT /api/v1/activity-rules":
                body = new { version = 99999 };
                break;
            case "POST /api/v1/activity-library":
            case "POST /api/v1/activities":
            case "POST /api/v1/certificates/bulk":
            case "POST /api/v1/honours/awards":
            case "POST /api/v1/honours/rounds":
            case "POST /api/v1/honours/awards/{id}/withdraw":
            case "POST /api/v1/honours/rounds/{id}/votes":
            case "POST /api/v1/honours/rounds/{id}/nominees":
                body = new { };
                break;
            case "PUT /api/v1/assessments/{year:int}/indicators":
            case "PUT /api/v1/conduct/items":
                body = Array.Empty<object>();
                break;
            case "PUT /api/v1/conduct/rules":
                body = new { board = "策略测试" };
                break;
            case "POST /api/v1/assessments/{year:int}/scores":
            case "POST /api/v1/conduct/events":
            case "POST /api/v1/conduct/events/{id}/appeal":
            case "POST /api/v1/conduct/events/{id}/decide":
            case "POST /api/v1/conduct/residents/{id}/benefits/{benefitId:guid}":
                body = new { };
                break;
            case "POST /api/v1/conduct/events/{id}/photo":
                content = new MultipartFormDataContent { { new ByteArrayContent(Png), "file", "p.png" } };
                break;
            case "PUT /api/v1/honours/titles":
                body = Array.Empty<object>();
                break;
            case "PUT /api/v1/honours/rules":
                body = new { starsPerUnit = 0, minHours = 0, ratingWeight = 0, version = 0 };
                break;
            case "POST /api/v1/honours/monthly-stars":
                body = new { month = "1999-01" };
                break;
            case "POST /api/v1/projects":
            case "POST /api/v1/plans":
            case "POST /api/v1/activities/{id}/attendance":
            case "POST /api/v1/activities/{id}/check-ins":
            case "PUT /api/v1/records/rules":
            case "POST /api/v1/volunteers/{id}/records":
            case "POST /api/v1/volunteers/{id}/stars":
            case "POST /api/v1/records/correction-requests/{id}/accept":
            case "POST /api/v1/records/correction-requests/{id}/refuse":
            case "POST /api/v1/records/{recordId:guid}/correction-requests":
                body = new { };
                break;
            case "POST /api/v1/activities/{id}/report":
                body = new { summary = "策略测试" }; // 409 for the organiser: it has not started
                break;
            case "POST /api/v1/activity-library/{id}/return":
                body = new { reason = "策略测试" };
                break;
            case "POST /api/v1/orders/{id}/photos":
            case "POST /api/v1/activities/{id}/photos":
                content = new MultipartFormDataContent { { new ByteArrayContent(Png), "file", "p.png" } };
                break;
            case "POST /api/v1/demands":
                body = new { text = "策略测试：需要上门服务", unitId = target };
                break;
            case "POST /api/v1/demands/{id}/answer":
            case "POST /api/v1/demands/{id}/decline":
            case "POST /api/v1/demands/{id}/became":
                body = new { };
                break;
            case "POST /api/v1/shop/items":
                body = new { unitId = target };
                break;
            case "PUT /api/v1/points/rules":
            case "POST /api/v1/shop/items/{id}/restock":
            case "POST /api/v1/shop/redemptions":
                body = new { };
                break;
            case "POST /api/v1/teams/import":
                var teamSheet = new MemoryStream();
                teamSheet.SaveAs(new[] { new Dictionary<string, object?> { ["队伍名称"] = "", ["层级"] = "", ["所属单位编码"] = "" } });
                content = new MultipartFormDataContent { { new ByteArrayContent(teamSheet.ToArray()), "file", "t.xlsx" } };
                break;
            case "POST /api/v1/volunteers/import":
                var volunteers = new MemoryStream();
                volunteers.SaveAs(new[] { new Dictionary<string, object?> { ["姓名"] = "", ["身份证号"] = "", ["手机号"] = "", ["所属实践站编码"] = "" } });
                content = new MultipartFormDataContent { { new ByteArrayContent(volunteers.ToArray()), "file", "v.xlsx" } };
                break;
            case "POST /api/v1/units/import":
                var sheet = new MemoryStream();
                sheet.SaveAs(new[]
                {
                    new Dictionary<string, object?> { ["上级编码"] = targetCode, ["编码"] = UniqueCode("pol"), ["名称"] = "策略测试点", ["类型"] = "点" },
                });
                var form = new MultipartFormDataContent { { new ByteArrayContent(sheet.ToArray()), "file", "p.xlsx" } };
                content = form;
                break;
        }

        if (key == "POST /api/v1/roles/{id}/revoke")
        {
            target = await host.WithDbAsync(async db =>
            {
                var unit = await db.Units.SingleAsync(u => u.Id == target);
                // A scratch person per district, so revoking never touches a demo account's roles.
                var phone = $"1390000{(unit.DistrictId == Guid.Empty ? 0 : Math.Abs(unit.DistrictId.GetHashCode()) % 10000):D4}";
                var user = await db.Users.FirstOrDefaultAsync(u => u.UserName == phone);
                if (user is null)
                {
                    user = new AppUser { Id = Ids.New(), UserName = phone, NormalizedUserName = phone, PhoneNumber = phone, DisplayName = "策略测试", DistrictId = unit.DistrictId, SecurityStamp = Guid.NewGuid().ToString() };
                    db.Users.Add(user);
                }
                var assignment = new RoleAssignment(Ids.New(), unit.DistrictId, user.Id, unit.Id, Role.Resident, null, DateTimeOffset.UtcNow);
                db.RoleAssignments.Add(assignment);
                await db.SaveChangesAsync();
                return assignment.Id;
            });
        }

        if (key == "POST /api/v1/open311/keys/{keyId:guid}/revoke")
        {
            // A scratch key of the actor's district, so revoking never touches the demo partner's key.
            var keyId = await host.WithDbAsync(async db =>
            {
                var districtId = await db.Units.Where(u => u.Id == target).Select(u => u.DistrictId).SingleAsync();
                var scratch = new Open311Key(districtId, "策略测试", Wenming.Web.Infrastructure.Tokens.Hash(Guid.NewGuid().ToString()), null, DateTimeOffset.UtcNow);
                db.Add(scratch);
                await db.SaveChangesAsync();
                return scratch.Id;
            });
            path = path.Replace("{keyId:guid}", keyId.ToString(), StringComparison.Ordinal);
        }

        path = path.Replace("{id}", target.ToString(), StringComparison.Ordinal).Replace("{memberId}", memberId.ToString(), StringComparison.Ordinal)
            .Replace("{action}", "escalate", StringComparison.Ordinal).Replace("{photoId:guid}", photoId.ToString(), StringComparison.Ordinal)
            .Replace("{orderId:guid}", orderId.ToString(), StringComparison.Ordinal).Replace("{benefitId:guid}", Guid.Empty.ToString(), StringComparison.Ordinal)
            .Replace("{year:int}", "2026", StringComparison.Ordinal)
            .Replace("{list}", "skill", StringComparison.Ordinal).Replace("{volunteerId:guid?}", "", StringComparison.Ordinal);
        if (path.Contains("{recordId:guid}", StringComparison.Ordinal))
        {
            path = path.Replace("{recordId:guid}", (await Records.RecordTests.RecordOfAsync(host, actorPhone, target)).ToString(), StringComparison.Ordinal);
        }
        if (path.StartsWith("/Organization", StringComparison.Ordinal) && path != "/Organization/Platforms")
        {
            path += path == "/Organization/Edit" ? $"?id={target}" : $"?unit={target}";
        }
        else if (path is "/Teams/Detail" or "/Orders/Detail" or "/Activities/Detail" or "/Activities/Venue")
        {
            path += $"?id={target}";
        }
        else if (key == "GET /api/v1/volunteers/{id}/certificate")
        {
            path += "?from=2001-01-01&to=2001-12-31"; // a period without service: 400 once allowed, whoever organised the volunteer's records
        }
        else if (key.StartsWith("GET /api/v1/import-jobs/{id}", StringComparison.Ordinal))
        {
            // A job the actor started themself, when they may start one; anyone else's is 404 to them.
            path = key[(key.IndexOf(' ', StringComparison.Ordinal) + 1)..].Replace("{id}", (await StartedJobAsync(host, actorPhone)).ToString(), StringComparison.Ordinal);
        }

        var request = new HttpRequestMessage(method, path);
        if (content is not null)
        {
            request.Content = content;
        }
        else if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");
        }

        return request;
    }

    /// <summary>A tiny real PNG for a volunteer, so that their photo exists for whoever may see it.</summary>
    internal static async Task GivePhotoAsync(TestHost host, Guid volunteerId)
    {
        var name = $"volunteers/{volunteerId:N}/photo";
        await host.Services.GetRequiredService<Wenming.Web.Infrastructure.Files.IFileStore>().SaveAsync(name, Png, CancellationToken.None);
        await host.WithDbAsync(async db =>
        {
            var v = await db.Set<Volunteer>().SingleAsync(x => x.Id == volunteerId);
            v.SetPhoto(name, "image/png", DateTimeOffset.UtcNow);
            return await db.SaveChangesAsync();
        });
    }

    internal static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    /// <summary>Starts an (empty, refused) import as the actor when they are an admin, and returns its job id.</summary>
    private static async Task<Guid> StartedJobAsync(TestHost host, string? actorPhone)
    {
        if (actorPhone is null || actorPhone[^2..] is not ("00" or "01" or "02" or "03"))
        {
            // Not an admin (00, 01, 02, 03 are): someone else's job.
            var admin = await host.ClientAsAsync(TestHost.Phone(Hongta, "01"));
            return await StartAsync(admin);
        }

        return await StartAsync(await host.ClientAsAsync(actorPhone));

        static async Task<Guid> StartAsync(HttpClient client)
        {
            var sheet = new MemoryStream();
            sheet.SaveAs(new[] { new Dictionary<string, object?> { ["姓名"] = "" } });
            using var started = await client.PostAsync("/api/v1/volunteers/import", new MultipartFormDataContent { { new ByteArrayContent(sheet.ToArray()), "file", "v.xlsx" } });
            return (await started.JsonAsync()).GetProperty("id").GetGuid();
        }
    }

    private static readonly string[] OptionItemDefaults = Wenming.Web.Features.Volunteers.OptionItem.DefaultSkills;

    private static async Task<bool> AllowedAsync(string key, HttpResponseMessage response)
    {
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound)
        {
            return false;
        }

        if (response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location?.ToString().Contains("/Accounts/", StringComparison.Ordinal) == true)
        {
            return false;
        }

        if (key == "POST /api/v1/units/import" && response.StatusCode == HttpStatusCode.UnprocessableEntity)
        {
            // Scope is checked per row: a refusal names the parent-code column.
            var body = await response.Content.ReadAsStringAsync();
            return !body.Contains("上级编码", StringComparison.Ordinal);
        }

        return true;
    }
}
