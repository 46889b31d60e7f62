using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Wenming.Web.Infrastructure.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ServiceRecords : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "certificates",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    DistrictId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Code = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Number = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    VolunteerId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    IdKind = table.Column<string>(type: "TEXT", maxLength: 30, nullable: false),
                    IdNumberMasked = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    VolunteerNumber = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    From = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    To = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Minutes = table.Column<long>(type: "INTEGER", nullable: false),
                    ServicesJson = table.Column<string>(type: "TEXT", nullable: false),
                    IssuersJson = table.Column<string>(type: "TEXT", nullable: false),
                    HandlerName = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    IssuedById = table.Column<Guid>(type: "TEXT", nullable: true),
                    IssuedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Digest = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_certificates", x => x.Id);
                    table.ForeignKey(
                        name: "FK_certificates_volunteers_VolunteerId",
                        column: x => x.VolunteerId,
                        principalTable: "volunteers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "record_rules",
                columns: table => new
                {
                    DistrictId = table.Column<Guid>(type: "TEXT", nullable: false),
                    StarHours = table.Column<string>(type: "TEXT", nullable: false),
                    BackfillEarnsPoints = table.Column<bool>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_record_rules", x => x.DistrictId);
                    table.ForeignKey(
                        name: "FK_record_rules_districts_DistrictId",
                        column: x => x.DistrictId,
                        principalTable: "districts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "service_records",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    DistrictId = table.Column<Guid>(type: "TEXT", nullable: false),
                    VolunteerId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Source = table.Column<int>(type: "INTEGER", nullable: false),
                    SourceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    SignupId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Title = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    PlatformId = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganizerUnitId = table.Column<Guid>(type: "TEXT", nullable: false),
                    PlaceUnitId = table.Column<Guid>(type: "TEXT", nullable: true),
                    TeamId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Address = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    StartedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    EndedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Minutes = table.Column<int>(type: "INTEGER", nullable: false),
                    ConfirmedById = table.Column<Guid>(type: "TEXT", nullable: true),
                    ConfirmedByName = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    ConfirmedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Backfilled = table.Column<bool>(type: "INTEGER", nullable: false),
                    CorrectsId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_service_records", x => x.Id);
                    table.ForeignKey(
                        name: "FK_service_records_service_records_CorrectsId",
                        column: x => x.CorrectsId,
                        principalTable: "service_records",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_service_records_units_OrganizerUnitId",
                        column: x => x.OrganizerUnitId,
                        principalTable: "units",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_service_records_volunteers_VolunteerId",
                        column: x => x.VolunteerId,
                        principalTable: "volunteers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "record_correction_requests",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    DistrictId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RecordId = table.Column<Guid>(type: "TEXT", nullable: false),
                    VolunteerId = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganizerUnitId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Minutes = table.Column<int>(type: "INTEGER", nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Status = table.Column<int>(type: "INTEGER", nullable: false),
                    DecidedById = table.Column<Guid>(type: "TEXT", nullable: true),
                    DecidedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Decision = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_record_correction_requests", x => x.Id);
                    table.ForeignKey(
                        name: "FK_record_correction_requests_service_records_RecordId",
                        column: x => x.RecordId,
                        principalTable: "service_records",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_certificates_Code",
                table: "certificates",
                column: "Code",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_certificates_DistrictId_Number",
                table: "certificates",
                columns: new[] { "DistrictId", "Number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_certificates_VolunteerId_IssuedAt",
                table: "certificates",
                columns: new[] { "VolunteerId", "IssuedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_record_correction_requests_OrganizerUnitId_Status",
                table: "record_correction_requests",
                columns: new[] { "OrganizerUnitId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_record_correction_requests_RecordId",
                table: "record_correction_requests",
                column: "RecordId");

            migrationBuilder.CreateIndex(
                name: "IX_service_records_CorrectsId",
                table: "service_records",
                column: "CorrectsId");

            migrationBuilder.CreateIndex(
                name: "IX_service_records_OrganizerUnitId_StartedAt",
                table: "service_records",
                columns: new[] { "OrganizerUnitId", "StartedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_service_records_SignupId",
                table: "service_records",
                column: "SignupId",
                filter: "\"SignupId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_service_records_Source_SourceId",
                table: "service_records",
                columns: new[] { "Source", "SourceId" });

            migrationBuilder.CreateIndex(
                name: "IX_service_records_TeamId_StartedAt",
                table: "service_records",
                columns: new[] { "TeamId", "StartedAt" },
                filter: "\"TeamId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_service_records_VolunteerId_StartedAt",
                table: "service_records",
                columns: new[] { "VolunteerId", "StartedAt" });

            // Service records and certificates are append-only: the database refuses to change or remove one.
            foreach (var table in new[] { "service_records", "certificates" })
            {
                migrationBuilder.Sql($"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END;");
                migrationBuilder.Sql($"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END;");
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var table in new[] { "service_records", "certificates" })
            {
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS {table}_no_update;");
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS {table}_no_delete;");
            }

            migrationBuilder.DropTable(
                name: "certificates");

            migrationBuilder.DropTable(
                name: "record_correction_requests");

            migrationBuilder.DropTable(
                name: "record_rules");

            migrationBuilder.DropTable(
                name: "service_records");
        }
    }
}
