using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Wenming.Web.Infrastructure.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class StarCertification : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<List<int>>(
                name: "StarCertifiers",
                table: "record_rules",
                type: "integer[]",
                nullable: false,
                defaultValueSql: "'{4,4,3,1,1}'"); // 一星、二星 the station, 三星 the institute, 四星、五星 the center

            migrationBuilder.AddColumn<int>(
                name: "YearEnd",
                table: "record_rules",
                type: "integer",
                nullable: false,
                defaultValue: 1231); // the calendar year

            migrationBuilder.CreateTable(
                name: "star_certifications",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    DistrictId = table.Column<Guid>(type: "uuid", nullable: false),
                    VolunteerId = table.Column<Guid>(type: "uuid", nullable: false),
                    Star = table.Column<int>(type: "integer", nullable: false),
                    UnitId = table.Column<Guid>(type: "uuid", nullable: false),
                    UnitName = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    CertifiedById = table.Column<Guid>(type: "uuid", nullable: true),
                    CertifiedByName = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    CertifiedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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

            // A certified star is kept for good: the database refuses to change or remove one (the function of the ServiceRecords migration).
            migrationBuilder.Sql("CREATE TRIGGER star_certifications_append_only BEFORE UPDATE OR DELETE ON star_certifications FOR EACH ROW EXECUTE FUNCTION wenming_append_only();");
            migrationBuilder.Sql("CREATE TRIGGER star_certifications_no_truncate BEFORE TRUNCATE ON star_certifications FOR EACH STATEMENT EXECUTE FUNCTION wenming_append_only();");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS star_certifications_append_only ON star_certifications;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS star_certifications_no_truncate ON star_certifications;");
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
