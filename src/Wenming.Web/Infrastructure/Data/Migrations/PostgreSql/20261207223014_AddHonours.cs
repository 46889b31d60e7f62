using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Wenming.Web.Infrastructure.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class AddHonours : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "honour_rules",
                columns: table => new
                {
                    DistrictId = table.Column<Guid>(type: "uuid", nullable: false),
                    StarsPerUnit = table.Column<int>(type: "integer", nullable: false),
                    MinHours = table.Column<int>(type: "integer", nullable: false),
                    RatingWeight = table.Column<decimal>(type: "numeric(6,2)", precision: 6, scale: 2, nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_honour_rules", x => x.DistrictId);
                    table.ForeignKey(
                        name: "FK_honour_rules_districts_DistrictId",
                        column: x => x.DistrictId,
                        principalTable: "districts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "honour_titles",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    DistrictId = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Recipient = table.Column<int>(type: "integer", nullable: false),
                    Method = table.Column<int>(type: "integer", nullable: false),
                    SortOrder = table.Column<int>(type: "integer", nullable: false),
                    IsActive = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_honour_titles", x => x.Id);
                    table.ForeignKey(
                        name: "FK_honour_titles_districts_DistrictId",
                        column: x => x.DistrictId,
                        principalTable: "districts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "honour_awards",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    DistrictId = table.Column<Guid>(type: "uuid", nullable: false),
                    TitleId = table.Column<Guid>(type: "uuid", nullable: false),
                    TitleName = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Recipient = table.Column<int>(type: "integer", nullable: false),
                    UnitId = table.Column<Guid>(type: "uuid", nullable: false),
                    RecipientName = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    VolunteerId = table.Column<Guid>(type: "uuid", nullable: true),
                    Period = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    Evidence = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    Method = table.Column<int>(type: "integer", nullable: false),
                    RoundId = table.Column<Guid>(type: "uuid", nullable: true),
                    AwardedById = table.Column<Guid>(type: "uuid", nullable: true),
                    AwardedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    WithdrawnAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    WithdrawReason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_honour_awards", x => x.Id);
                    table.ForeignKey(
                        name: "FK_honour_awards_honour_titles_TitleId",
                        column: x => x.TitleId,
                        principalTable: "honour_titles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_honour_awards_units_UnitId",
                        column: x => x.UnitId,
                        principalTable: "units",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_honour_awards_volunteers_VolunteerId",
                        column: x => x.VolunteerId,
                        principalTable: "volunteers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "honour_vote_rounds",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    DistrictId = table.Column<Guid>(type: "uuid", nullable: false),
                    TitleId = table.Column<Guid>(type: "uuid", nullable: false),
                    UnitId = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    OpensAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ClosesAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Winners = table.Column<int>(type: "integer", nullable: false),
                    CreatedById = table.Column<Guid>(type: "uuid", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ClosedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_honour_vote_rounds", x => x.Id);
                    table.ForeignKey(
                        name: "FK_honour_vote_rounds_honour_titles_TitleId",
                        column: x => x.TitleId,
                        principalTable: "honour_titles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_honour_vote_rounds_units_UnitId",
                        column: x => x.UnitId,
                        principalTable: "units",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "honour_nominees",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    DistrictId = table.Column<Guid>(type: "uuid", nullable: false),
                    RoundId = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    VolunteerId = table.Column<Guid>(type: "uuid", nullable: true),
                    Evidence = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    NominatedById = table.Column<Guid>(type: "uuid", nullable: false),
                    NominatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_honour_nominees", x => x.Id);
                    table.ForeignKey(
                        name: "FK_honour_nominees_honour_vote_rounds_RoundId",
                        column: x => x.RoundId,
                        principalTable: "honour_vote_rounds",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "honour_votes",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    DistrictId = table.Column<Guid>(type: "uuid", nullable: false),
                    RoundId = table.Column<Guid>(type: "uuid", nullable: false),
                    NomineeId = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    VotedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_honour_votes", x => x.Id);
                    table.ForeignKey(
                        name: "FK_honour_votes_honour_nominees_NomineeId",
                        column: x => x.NomineeId,
                        principalTable: "honour_nominees",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_honour_votes_honour_vote_rounds_RoundId",
                        column: x => x.RoundId,
                        principalTable: "honour_vote_rounds",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_honour_awards_TitleId_UnitId_Period_RecipientName",
                table: "honour_awards",
                columns: new[] { "TitleId", "UnitId", "Period", "RecipientName" },
                unique: true,
                filter: "\"WithdrawnAt\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_honour_awards_UnitId_AwardedAt",
                table: "honour_awards",
                columns: new[] { "UnitId", "AwardedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_honour_awards_VolunteerId",
                table: "honour_awards",
                column: "VolunteerId",
                filter: "\"VolunteerId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_honour_nominees_RoundId_Name",
                table: "honour_nominees",
                columns: new[] { "RoundId", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_honour_titles_DistrictId_Name",
                table: "honour_titles",
                columns: new[] { "DistrictId", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_honour_vote_rounds_TitleId",
                table: "honour_vote_rounds",
                column: "TitleId");

            migrationBuilder.CreateIndex(
                name: "IX_honour_vote_rounds_UnitId_ClosesAt",
                table: "honour_vote_rounds",
                columns: new[] { "UnitId", "ClosesAt" });

            migrationBuilder.CreateIndex(
                name: "IX_honour_votes_NomineeId",
                table: "honour_votes",
                column: "NomineeId");

            migrationBuilder.CreateIndex(
                name: "IX_honour_votes_RoundId_UserId",
                table: "honour_votes",
                columns: new[] { "RoundId", "UserId" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "honour_awards");

            migrationBuilder.DropTable(
                name: "honour_rules");

            migrationBuilder.DropTable(
                name: "honour_votes");

            migrationBuilder.DropTable(
                name: "honour_nominees");

            migrationBuilder.DropTable(
                name: "honour_vote_rounds");

            migrationBuilder.DropTable(
                name: "honour_titles");
        }
    }
}
