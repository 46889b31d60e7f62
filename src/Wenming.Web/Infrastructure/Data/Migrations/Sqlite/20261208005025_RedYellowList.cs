using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Wenming.Web.Infrastructure.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RedYellowList : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<Guid>(
                name: "VolunteerId",
                table: "shop_redemptions",
                type: "TEXT",
                nullable: true,
                oldClrType: typeof(Guid),
                oldType: "TEXT");

            migrationBuilder.AddColumn<Guid>(
                name: "ResidentUserId",
                table: "shop_redemptions",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "conduct_benefits",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    DistrictId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 30, nullable: false),
                    Threshold = table.Column<int>(type: "INTEGER", nullable: false),
                    SortOrder = table.Column<int>(type: "INTEGER", nullable: false),
                    IsActive = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_conduct_benefits", x => x.Id);
                    table.ForeignKey(
                        name: "FK_conduct_benefits_districts_DistrictId",
                        column: x => x.DistrictId,
                        principalTable: "districts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "conduct_items",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    DistrictId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Colour = table.Column<int>(type: "INTEGER", nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 30, nullable: false),
                    Points = table.Column<int>(type: "INTEGER", nullable: false),
                    SortOrder = table.Column<int>(type: "INTEGER", nullable: false),
                    IsActive = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_conduct_items", x => x.Id);
                    table.ForeignKey(
                        name: "FK_conduct_items_districts_DistrictId",
                        column: x => x.DistrictId,
                        principalTable: "districts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "conduct_rules",
                columns: table => new
                {
                    DistrictId = table.Column<Guid>(type: "TEXT", nullable: false),
                    WindowMonths = table.Column<int>(type: "INTEGER", nullable: false),
                    Board = table.Column<int>(type: "INTEGER", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_conduct_rules", x => x.DistrictId);
                    table.ForeignKey(
                        name: "FK_conduct_rules_districts_DistrictId",
                        column: x => x.DistrictId,
                        principalTable: "districts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "conduct_benefit_overrides",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    DistrictId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ResidentUserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    BenefitId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Mode = table.Column<int>(type: "INTEGER", nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    ById = table.Column<Guid>(type: "TEXT", nullable: false),
                    ByName = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_conduct_benefit_overrides", x => x.Id);
                    table.ForeignKey(
                        name: "FK_conduct_benefit_overrides_AspNetUsers_ResidentUserId",
                        column: x => x.ResidentUserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_conduct_benefit_overrides_conduct_benefits_BenefitId",
                        column: x => x.BenefitId,
                        principalTable: "conduct_benefits",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "conduct_events",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    DistrictId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ItemId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Colour = table.Column<int>(type: "INTEGER", nullable: false),
                    ItemTitle = table.Column<string>(type: "TEXT", maxLength: 30, nullable: false),
                    Points = table.Column<int>(type: "INTEGER", nullable: false),
                    ResidentUserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ResidentName = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    UnitId = table.Column<Guid>(type: "TEXT", nullable: false),
                    UnitPath = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    OccurredOn = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Evidence = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    PhotoName = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    PhotoType = table.Column<string>(type: "TEXT", maxLength: 50, nullable: true),
                    RecordedById = table.Column<Guid>(type: "TEXT", nullable: false),
                    RecordedByName = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    RecordedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Moved = table.Column<long>(type: "INTEGER", nullable: false),
                    Status = table.Column<int>(type: "INTEGER", nullable: false),
                    AppealReason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    AppealedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    DecidedById = table.Column<Guid>(type: "TEXT", nullable: true),
                    DecidedByName = table.Column<string>(type: "TEXT", maxLength: 50, nullable: true),
                    DecisionNote = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    DecidedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_conduct_events", x => x.Id);
                    table.CheckConstraint("CK_conduct_events_points", "\"Points\" > 0 AND \"Moved\" >= 0");
                    table.ForeignKey(
                        name: "FK_conduct_events_AspNetUsers_ResidentUserId",
                        column: x => x.ResidentUserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_conduct_events_conduct_items_ItemId",
                        column: x => x.ItemId,
                        principalTable: "conduct_items",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_conduct_events_units_UnitId",
                        column: x => x.UnitId,
                        principalTable: "units",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_shop_redemptions_ResidentUserId_CreatedAt",
                table: "shop_redemptions",
                columns: new[] { "ResidentUserId", "CreatedAt" });

            migrationBuilder.AddCheckConstraint(
                name: "CK_shop_redemptions_payer",
                table: "shop_redemptions",
                sql: "(\"VolunteerId\" IS NULL) <> (\"ResidentUserId\" IS NULL)");

            migrationBuilder.CreateIndex(
                name: "IX_conduct_benefit_overrides_BenefitId",
                table: "conduct_benefit_overrides",
                column: "BenefitId");

            migrationBuilder.CreateIndex(
                name: "IX_conduct_benefit_overrides_ResidentUserId_BenefitId_At",
                table: "conduct_benefit_overrides",
                columns: new[] { "ResidentUserId", "BenefitId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_conduct_benefits_DistrictId_Name",
                table: "conduct_benefits",
                columns: new[] { "DistrictId", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_conduct_events_DistrictId_Status",
                table: "conduct_events",
                columns: new[] { "DistrictId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_conduct_events_ItemId",
                table: "conduct_events",
                column: "ItemId");

            migrationBuilder.CreateIndex(
                name: "IX_conduct_events_ResidentUserId_OccurredOn",
                table: "conduct_events",
                columns: new[] { "ResidentUserId", "OccurredOn" });

            migrationBuilder.CreateIndex(
                name: "IX_conduct_events_UnitId",
                table: "conduct_events",
                column: "UnitId");

            migrationBuilder.CreateIndex(
                name: "IX_conduct_events_UnitPath_RecordedAt",
                table: "conduct_events",
                columns: new[] { "UnitPath", "RecordedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_conduct_items_DistrictId_Colour_Title",
                table: "conduct_items",
                columns: new[] { "DistrictId", "Colour", "Title" },
                unique: true);

            migrationBuilder.AddForeignKey(
                name: "FK_shop_redemptions_AspNetUsers_ResidentUserId",
                table: "shop_redemptions",
                column: "ResidentUserId",
                principalTable: "AspNetUsers",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_shop_redemptions_AspNetUsers_ResidentUserId",
                table: "shop_redemptions");

            migrationBuilder.DropTable(
                name: "conduct_benefit_overrides");

            migrationBuilder.DropTable(
                name: "conduct_events");

            migrationBuilder.DropTable(
                name: "conduct_rules");

            migrationBuilder.DropTable(
                name: "conduct_benefits");

            migrationBuilder.DropTable(
                name: "conduct_items");

            migrationBuilder.DropIndex(
                name: "IX_shop_redemptions_ResidentUserId_CreatedAt",
                table: "shop_redemptions");

            migrationBuilder.DropCheckConstraint(
                name: "CK_shop_redemptions_payer",
                table: "shop_redemptions");

            migrationBuilder.DropColumn(
                name: "ResidentUserId",
                table: "shop_redemptions");

            migrationBuilder.AlterColumn<Guid>(
                name: "VolunteerId",
                table: "shop_redemptions",
                type: "TEXT",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"),
                oldClrType: typeof(Guid),
                oldType: "TEXT",
                oldNullable: true);
        }
    }
}
