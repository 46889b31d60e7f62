using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Wenming.Web.Infrastructure.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class VolunteerTotals : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "volunteer_totals",
                columns: table => new
                {
                    VolunteerId = table.Column<Guid>(type: "TEXT", nullable: false),
                    DistrictId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Minutes = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_volunteer_totals", x => x.VolunteerId);
                    table.ForeignKey(
                        name: "FK_volunteer_totals_volunteers_VolunteerId",
                        column: x => x.VolunteerId,
                        principalTable: "volunteers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_volunteer_totals_DistrictId_Minutes",
                table: "volunteer_totals",
                columns: new[] { "DistrictId", "Minutes" });

            // The totals of the records kept so far.
            migrationBuilder.Sql("""
                INSERT INTO volunteer_totals ("VolunteerId", "DistrictId", "Minutes", "UpdatedAt", "Version") SELECT "VolunteerId", MIN("DistrictId"), SUM("Minutes"), 0, 1 FROM service_records GROUP BY "VolunteerId";
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "volunteer_totals");
        }
    }
}
