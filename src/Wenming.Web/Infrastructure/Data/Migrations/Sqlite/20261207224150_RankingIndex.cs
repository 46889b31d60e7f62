using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Wenming.Web.Infrastructure.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RankingIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_volunteer_totals_DistrictId_Minutes",
                table: "volunteer_totals");

            migrationBuilder.CreateIndex(
                name: "IX_volunteer_totals_DistrictId_Minutes_VolunteerId",
                table: "volunteer_totals",
                columns: new[] { "DistrictId", "Minutes", "VolunteerId" },
                descending: new[] { false, true, false });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_volunteer_totals_DistrictId_Minutes_VolunteerId",
                table: "volunteer_totals");

            migrationBuilder.CreateIndex(
                name: "IX_volunteer_totals_DistrictId_Minutes",
                table: "volunteer_totals",
                columns: new[] { "DistrictId", "Minutes" });
        }
    }
}
