using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Wenming.Web.Infrastructure.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class StarCertification : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "StarCertifiers",
                table: "record_rules",
                type: "TEXT",
                nullable: false,
                defaultValue: "[4,4,3,1,1]"); // 一星、二星 the station, 三星 the institute, 四星、五星 the center

            migrationBuilder.AddColumn<int>(
                name: "YearEnd",
                table: "record_rules",
                type: "INTEGER",
                nullable: false,
                defaultValue: 1231); // the calendar year

            migrationBuilder.CreateTable(
                name: "star_certifications",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    DistrictId = table.Column<Guid>(type: "TEXT", nullable: false),
                    VolunteerId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Star = table.Column<int>(type: "INTEGER", nullable: false),
                    UnitId = table.Column<Guid>(type: "TEXT", nullable: false),
                    UnitName = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    CertifiedById = table.Column<Guid>(type: "TEXT", nullable: true),
                    CertifiedByName = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    CertifiedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_star_certifications", x => x.Id);
                    table.ForeignKey(
                        name: "FK_star_certifications_units_UnitId",
                        column: x => x.UnitId,
                        principalTable: "units",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_star_certifications_volunteers_VolunteerId",
                        column: x => x.VolunteerId,
                        principalTable: "volunteers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_star_certifications_UnitId",
                table: "star_certifications",
                column: "UnitId");

            migrationBuilder.CreateIndex(
                name: "IX_star_certifications_VolunteerId_Star",
                table: "star_certifications",
                columns: new[] { "VolunteerId", "Star" },
                unique: true);

            // A certified star is kept for good: the database refuses to change or remove one.
            migrationBuilder.Sql("CREATE TRIGGER star_certifications_no_update BEFORE UPDATE ON star_certifications BEGIN SELECT RAISE(ABORT, 'star_certifications are append-only'); END;");
            migrationBuilder.Sql("CREATE TRIGGER star_certifications_no_delete BEFORE DELETE ON star_certifications BEGIN SELECT RAISE(ABORT, 'star_certifications are append-only'); END;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS star_certifications_no_update;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS star_certifications_no_delete;");
            migrationBuilder.DropTable(
                name: "star_certifications");

            migrationBuilder.DropColumn(
                name: "StarCertifiers",
                table: "record_rules");

            migrationBuilder.DropColumn(
                name: "YearEnd",
                table: "record_rules");
        }
    }
}
