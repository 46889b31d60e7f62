using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Wenming.Web.Infrastructure.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class HonourAwardKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_honour_awards_TitleId_UnitId_Period_RecipientName",
                table: "honour_awards");

            migrationBuilder.CreateIndex(
                name: "IX_honour_awards_named",
                table: "honour_awards",
                columns: new[] { "TitleId", "UnitId", "Period", "RecipientName" },
                unique: true,
                filter: "\"WithdrawnAt\" IS NULL AND \"VolunteerId\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_honour_awards_volunteer",
                table: "honour_awards",
                columns: new[] { "TitleId", "UnitId", "Period", "VolunteerId" },
                unique: true,
                filter: "\"WithdrawnAt\" IS NULL AND \"VolunteerId\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_honour_awards_named",
                table: "honour_awards");

            migrationBuilder.DropIndex(
                name: "IX_honour_awards_volunteer",
                table: "honour_awards");

            migrationBuilder.CreateIndex(
                name: "IX_honour_awards_TitleId_UnitId_Period_RecipientName",
                table: "honour_awards",
                columns: new[] { "TitleId", "UnitId", "Period", "RecipientName" },
                unique: true,
                filter: "\"WithdrawnAt\" IS NULL");
        }
    }
}
