using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Wenming.Web.Infrastructure.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class PointsEarningRules : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "HonourBonus",
                table: "points_rules",
                type: "integer",
                nullable: false,
                defaultValue: 20); // the default: a district with rules of its own starts where one without them stands

            migrationBuilder.AddColumn<int>(
                name: "PerGoodRating",
                table: "points_rules",
                type: "integer",
                nullable: false,
                defaultValue: 2); // likewise
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "HonourBonus",
                table: "points_rules");

            migrationBuilder.DropColumn(
                name: "PerGoodRating",
                table: "points_rules");
        }
    }
}
