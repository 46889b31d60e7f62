using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Wenming.Web.Infrastructure.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class Activities : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "ProjectId",
                table: "orders",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "activity_rules",
                columns: table => new
                {
                    DistrictId = table.Column<Guid>(type: "uuid", nullable: false),
                    LibraryGate = table.Column<bool>(type: "boolean", nullable: false),
                    LocationToleranceMeters = table.Column<int>(type: "integer", nullable: false),
                    MaxCheckPairsPerDay = table.Column<int>(type: "integer", nullable: false),
                    MinAttendanceShare = table.Column<double>(type: "double precision", nullable: false),
                    FutureOnly = table.Column<bool>(type: "boolean", nullable: false),
                    QrWindowSeconds = table.Column<int>(type: "integer", nullable: false),
                    LectureForms = table.Column<List<string>>(type: "text[]", nullable: false),
                    VenueTypes = table.Column<List<string>>(type: "text[]", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_activity_rules", x => x.DistrictId);
                    table.ForeignKey(
                        name: "FK_activity_rules_districts_DistrictId",
                        column: x => x.DistrictId,
                        principalTable: "districts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "activity_templates",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    DistrictId = table.Column<Guid>(type: "uuid", nullable: false),
                    Title = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    PlatformId = table.Column<Guid>(type: "uuid", nullable: false),
                    Description = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    Format = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                    SuggestedMinutes = table.Column<int>(type: "integer", nullable: false),
                    SuggestedSize = table.Column<int>(type: "integer", nullable: false),
                    Audience = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    Materials = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    AllowedUnitIds = table.Column<List<Guid>>(type: "uuid[]", nullable: false),
                    ProposedByUnitId = table.Column<Guid>(type: "uuid", nullable: false),
                    ProposedById = table.Column<Guid>(type: "uuid", nullable: true),
                    Status = table.Column<int>(type: "integer", nullable: false),
                    ReturnReason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    DecidedById = table.Column<Guid>(type: "uuid", nullable: true),
                    DecidedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_activity_templates", x => x.Id);
                    table.ForeignKey(
                        name: "FK_activity_templates_platforms_PlatformId",
                        column: x => x.PlatformId,
                        principalTable: "platforms",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_activity_templates_units_ProposedByUnitId",
                        column: x => x.ProposedByUnitId,
                        principalTable: "units",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "calendar_feeds",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    DistrictId = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    TokenHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_calendar_feeds", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "plan_entries",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    DistrictId = table.Column<Guid>(type: "uuid", nullable: false),
                    UnitId = table.Column<Guid>(type: "uuid", nullable: false),
                    Year = table.Column<int>(type: "integer", nullable: false),
                    Month = table.Column<int>(type: "integer", nullable: false),
                    PlatformId = table.Column<Guid>(type: "uuid", nullable: false),
                    TemplateId = table.Column<Guid>(type: "uuid", nullable: true),
                    Title = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Count = table.Column<int>(type: "integer", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_plan_entries", x => x.Id);
                    table.ForeignKey(
                        name: "FK_plan_entries_units_UnitId",
                        column: x => x.UnitId,
                        principalTable: "units",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "projects",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    DistrictId = table.Column<Guid>(type: "uuid", nullable: false),
                    UnitId = table.Column<Guid>(type: "uuid", nullable: false),
                    TeamId = table.Column<Guid>(type: "uuid", nullable: true),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    PlatformId = table.Column<Guid>(type: "uuid", nullable: true),
                    Goals = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    StartsOn = table.Column<DateOnly>(type: "date", nullable: true),
                    EndsOn = table.Column<DateOnly>(type: "date", nullable: true),
                    Partners = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    CreatedById = table.Column<Guid>(type: "uuid", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_projects", x => x.Id);
                    table.ForeignKey(
                        name: "FK_projects_units_UnitId",
                        column: x => x.UnitId,
                        principalTable: "units",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "activities",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    DistrictId = table.Column<Guid>(type: "uuid", nullable: false),
                    UnitId = table.Column<Guid>(type: "uuid", nullable: false),
                    TeamId = table.Column<Guid>(type: "uuid", nullable: true),
                    TemplateId = table.Column<Guid>(type: "uuid", nullable: true),
                    ProjectId = table.Column<Guid>(type: "uuid", nullable: true),
                    Title = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    PlatformId = table.Column<Guid>(type: "uuid", nullable: false),
                    Description = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    StartsAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    EndsAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Address = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    Latitude = table.Column<double>(type: "double precision", nullable: true),
                    Longitude = table.Column<double>(type: "double precision", nullable: true),
                    Capacity = table.Column<int>(type: "integer", nullable: false),
                    RolesJson = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    SignupOpensAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    SignupClosesAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Audience = table.Column<int>(type: "integer", nullable: false),
                    LectureForm = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    VenueType = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    Topic = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    LecturerIds = table.Column<List<Guid>>(type: "uuid[]", nullable: false),
                    AudienceCount = table.Column<int>(type: "integer", nullable: true),
                    Beneficiaries = table.Column<int>(type: "integer", nullable: true),
                    Summary = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    QrSecret = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Status = table.Column<int>(type: "integer", nullable: false),
                    CreatedById = table.Column<Guid>(type: "uuid", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    SignupVersion = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_activities", x => x.Id);
                    table.ForeignKey(
                        name: "FK_activities_activity_templates_TemplateId",
                        column: x => x.TemplateId,
                        principalTable: "activity_templates",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_activities_platforms_PlatformId",
                        column: x => x.PlatformId,
                        principalTable: "platforms",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_activities_projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_activities_teams_TeamId",
                        column: x => x.TeamId,
                        principalTable: "teams",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_activities_units_UnitId",
                        column: x => x.UnitId,
                        principalTable: "units",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "activity_photos",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    DistrictId = table.Column<Guid>(type: "uuid", nullable: false),
                    ActivityId = table.Column<Guid>(type: "uuid", nullable: false),
                    FileName = table.Column<string>(type: "character varying(120)", maxLength: 120, nullable: false),
                    ContentType = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    UploadedById = table.Column<Guid>(type: "uuid", nullable: true),
                    UploadedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_activity_photos", x => x.Id);
                    table.ForeignKey(
                        name: "FK_activity_photos_activities_ActivityId",
                        column: x => x.ActivityId,
                        principalTable: "activities",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "activity_signups",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    DistrictId = table.Column<Guid>(type: "uuid", nullable: false),
                    ActivityId = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    VolunteerId = table.Column<Guid>(type: "uuid", nullable: true),
                    Role = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: false),
                    Status = table.Column<int>(type: "integer", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    PromotedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CancelledAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_activity_signups", x => x.Id);
                    table.ForeignKey(
                        name: "FK_activity_signups_activities_ActivityId",
                        column: x => x.ActivityId,
                        principalTable: "activities",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "activity_attendance",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    DistrictId = table.Column<Guid>(type: "uuid", nullable: false),
                    ActivityId = table.Column<Guid>(type: "uuid", nullable: false),
                    SignupId = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    Day = table.Column<DateOnly>(type: "date", nullable: false),
                    CheckInAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CheckOutAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Method = table.Column<int>(type: "integer", nullable: false),
                    CheckInLatitude = table.Column<double>(type: "double precision", nullable: true),
                    CheckInLongitude = table.Column<double>(type: "double precision", nullable: true),
                    Minutes = table.Column<int>(type: "integer", nullable: true),
                    CorrectedById = table.Column<Guid>(type: "uuid", nullable: true),
                    Reason = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_activity_attendance", x => x.Id);
                    table.ForeignKey(
                        name: "FK_activity_attendance_activity_signups_SignupId",
                        column: x => x.SignupId,
                        principalTable: "activity_signups",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_orders_ProjectId",
                table: "orders",
                column: "ProjectId");

            migrationBuilder.CreateIndex(
                name: "IX_activities_DistrictId_StartsAt",
                table: "activities",
                columns: new[] { "DistrictId", "StartsAt" });

            migrationBuilder.CreateIndex(
                name: "IX_activities_PlatformId",
                table: "activities",
                column: "PlatformId");

            migrationBuilder.CreateIndex(
                name: "IX_activities_ProjectId",
                table: "activities",
                column: "ProjectId");

            migrationBuilder.CreateIndex(
                name: "IX_activities_TeamId",
                table: "activities",
                column: "TeamId");

            migrationBuilder.CreateIndex(
                name: "IX_activities_TemplateId",
                table: "activities",
                column: "TemplateId");

            migrationBuilder.CreateIndex(
                name: "IX_activities_UnitId_StartsAt",
                table: "activities",
                columns: new[] { "UnitId", "StartsAt" });

            migrationBuilder.CreateIndex(
                name: "IX_activity_attendance_ActivityId_SignupId",
                table: "activity_attendance",
                columns: new[] { "ActivityId", "SignupId" });

            migrationBuilder.CreateIndex(
                name: "IX_activity_attendance_SignupId",
                table: "activity_attendance",
                column: "SignupId");

            migrationBuilder.CreateIndex(
                name: "IX_activity_attendance_UserId_Day",
                table: "activity_attendance",
                columns: new[] { "UserId", "Day" });

            migrationBuilder.CreateIndex(
                name: "IX_activity_photos_ActivityId",
                table: "activity_photos",
                column: "ActivityId");

            migrationBuilder.CreateIndex(
                name: "IX_activity_signups_ActivityId_Role_Status_CreatedAt",
                table: "activity_signups",
                columns: new[] { "ActivityId", "Role", "Status", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_activity_signups_UserId_Status",
                table: "activity_signups",
                columns: new[] { "UserId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_activity_templates_DistrictId_Status",
                table: "activity_templates",
                columns: new[] { "DistrictId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_activity_templates_PlatformId",
                table: "activity_templates",
                column: "PlatformId");

            migrationBuilder.CreateIndex(
                name: "IX_activity_templates_ProposedByUnitId",
                table: "activity_templates",
                column: "ProposedByUnitId");

            migrationBuilder.CreateIndex(
                name: "IX_calendar_feeds_TokenHash",
                table: "calendar_feeds",
                column: "TokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_calendar_feeds_UserId",
                table: "calendar_feeds",
                column: "UserId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_plan_entries_UnitId_Year_Month",
                table: "plan_entries",
                columns: new[] { "UnitId", "Year", "Month" });

            migrationBuilder.CreateIndex(
                name: "IX_projects_DistrictId_Name",
                table: "projects",
                columns: new[] { "DistrictId", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_projects_UnitId",
                table: "projects",
                column: "UnitId");

            migrationBuilder.AddForeignKey(
                name: "FK_orders_projects_ProjectId",
                table: "orders",
                column: "ProjectId",
                principalTable: "projects",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_orders_projects_ProjectId",
                table: "orders");

            migrationBuilder.DropTable(
                name: "activity_attendance");

            migrationBuilder.DropTable(
                name: "activity_photos");

            migrationBuilder.DropTable(
                name: "activity_rules");

            migrationBuilder.DropTable(
                name: "calendar_feeds");

            migrationBuilder.DropTable(
                name: "plan_entries");

            migrationBuilder.DropTable(
                name: "activity_signups");

            migrationBuilder.DropTable(
                name: "activities");

            migrationBuilder.DropTable(
                name: "activity_templates");

            migrationBuilder.DropTable(
                name: "projects");

            migrationBuilder.DropIndex(
                name: "IX_orders_ProjectId",
                table: "orders");

            migrationBuilder.DropColumn(
                name: "ProjectId",
                table: "orders");
        }
    }
}
