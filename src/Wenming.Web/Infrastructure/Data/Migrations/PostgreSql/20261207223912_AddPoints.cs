using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Wenming.Web.Infrastructure.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class AddPoints : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "points_accounts",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    DistrictId = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<int>(type: "integer", nullable: false),
                    OwnerId = table.Column<Guid>(type: "uuid", nullable: false),
                    Balance = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_points_accounts", x => x.Id);
                    table.CheckConstraint("CK_points_accounts_floor", "\"Kind\" = 1 OR \"Balance\" >= 0");
                    table.ForeignKey(
                        name: "FK_points_accounts_districts_DistrictId",
                        column: x => x.DistrictId,
                        principalTable: "districts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "points_earnings",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    DistrictId = table.Column<Guid>(type: "uuid", nullable: false),
                    VolunteerId = table.Column<Guid>(type: "uuid", nullable: false),
                    ServiceKey = table.Column<string>(type: "character varying(120)", maxLength: 120, nullable: false),
                    IsOrder = table.Column<bool>(type: "boolean", nullable: false),
                    PerHour = table.Column<int>(type: "integer", nullable: false),
                    PerOrder = table.Column<int>(type: "integer", nullable: false),
                    Minutes = table.Column<long>(type: "bigint", nullable: false),
                    Points = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_points_earnings", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "points_rules",
                columns: table => new
                {
                    DistrictId = table.Column<Guid>(type: "uuid", nullable: false),
                    PerHour = table.Column<int>(type: "integer", nullable: false),
                    PerOrder = table.Column<int>(type: "integer", nullable: false),
                    ExpiresYearly = table.Column<bool>(type: "boolean", nullable: false),
                    ExpiredThroughYear = table.Column<int>(type: "integer", nullable: true),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_points_rules", x => x.DistrictId);
                    table.ForeignKey(
                        name: "FK_points_rules_districts_DistrictId",
                        column: x => x.DistrictId,
                        principalTable: "districts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "shop_items",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    DistrictId = table.Column<Guid>(type: "uuid", nullable: false),
                    UnitId = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    Description = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    Price = table.Column<int>(type: "integer", nullable: false),
                    Donor = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    Quantity = table.Column<int>(type: "integer", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_shop_items", x => x.Id);
                    table.CheckConstraint("CK_shop_items_stock", "\"Quantity\" >= 0 AND \"Price\" > 0");
                    table.ForeignKey(
                        name: "FK_shop_items_units_UnitId",
                        column: x => x.UnitId,
                        principalTable: "units",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "points_transfers",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    DistrictId = table.Column<Guid>(type: "uuid", nullable: false),
                    DebitAccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    CreditAccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    Amount = table.Column<long>(type: "bigint", nullable: false),
                    Kind = table.Column<int>(type: "integer", nullable: false),
                    Reason = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    ActorId = table.Column<Guid>(type: "uuid", nullable: true),
                    ActorName = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    SourceRef = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    IdempotencyKey = table.Column<string>(type: "character varying(120)", maxLength: 120, nullable: false),
                    PendingId = table.Column<Guid>(type: "uuid", nullable: true),
                    UnitPath = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_points_transfers", x => x.Id);
                    table.CheckConstraint("CK_points_transfers_amount", "\"Amount\" > 0 AND \"DebitAccountId\" <> \"CreditAccountId\"");
                    table.ForeignKey(
                        name: "FK_points_transfers_points_accounts_CreditAccountId",
                        column: x => x.CreditAccountId,
                        principalTable: "points_accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_points_transfers_points_accounts_DebitAccountId",
                        column: x => x.DebitAccountId,
                        principalTable: "points_accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_points_transfers_points_transfers_PendingId",
                        column: x => x.PendingId,
                        principalTable: "points_transfers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "shop_stockings",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    DistrictId = table.Column<Guid>(type: "uuid", nullable: false),
                    ItemId = table.Column<Guid>(type: "uuid", nullable: false),
                    Quantity = table.Column<int>(type: "integer", nullable: false),
                    Donor = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    ById = table.Column<Guid>(type: "uuid", nullable: false),
                    ByName = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_shop_stockings", x => x.Id);
                    table.ForeignKey(
                        name: "FK_shop_stockings_shop_items_ItemId",
                        column: x => x.ItemId,
                        principalTable: "shop_items",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "shop_redemptions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    DistrictId = table.Column<Guid>(type: "uuid", nullable: false),
                    ItemId = table.Column<Guid>(type: "uuid", nullable: false),
                    UnitId = table.Column<Guid>(type: "uuid", nullable: false),
                    ItemName = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    Price = table.Column<int>(type: "integer", nullable: false),
                    VolunteerId = table.Column<Guid>(type: "uuid", nullable: false),
                    ReserveTransferId = table.Column<Guid>(type: "uuid", nullable: false),
                    RequestKey = table.Column<string>(type: "character varying(150)", maxLength: 150, nullable: false),
                    Status = table.Column<int>(type: "integer", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    SettledAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    SettledById = table.Column<Guid>(type: "uuid", nullable: true),
                    SettledByName = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_shop_redemptions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_shop_redemptions_points_transfers_ReserveTransferId",
                        column: x => x.ReserveTransferId,
                        principalTable: "points_transfers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_shop_redemptions_shop_items_ItemId",
                        column: x => x.ItemId,
                        principalTable: "shop_items",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_shop_redemptions_volunteers_VolunteerId",
                        column: x => x.VolunteerId,
                        principalTable: "volunteers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_points_accounts_DistrictId_Kind_OwnerId",
                table: "points_accounts",
                columns: new[] { "DistrictId", "Kind", "OwnerId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_points_earnings_VolunteerId_ServiceKey",
                table: "points_earnings",
                columns: new[] { "VolunteerId", "ServiceKey" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_points_transfers_CreditAccountId_CreatedAt",
                table: "points_transfers",
                columns: new[] { "CreditAccountId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_points_transfers_DebitAccountId_CreatedAt",
                table: "points_transfers",
                columns: new[] { "DebitAccountId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_points_transfers_DistrictId_IdempotencyKey",
                table: "points_transfers",
                columns: new[] { "DistrictId", "IdempotencyKey" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_points_transfers_PendingId",
                table: "points_transfers",
                column: "PendingId",
                unique: true,
                filter: "\"PendingId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_points_transfers_UnitPath_CreatedAt",
                table: "points_transfers",
                columns: new[] { "UnitPath", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_shop_items_UnitId_Name",
                table: "shop_items",
                columns: new[] { "UnitId", "Name" });

            migrationBuilder.CreateIndex(
                name: "IX_shop_redemptions_DistrictId_RequestKey",
                table: "shop_redemptions",
                columns: new[] { "DistrictId", "RequestKey" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_shop_redemptions_ItemId",
                table: "shop_redemptions",
                column: "ItemId");

            migrationBuilder.CreateIndex(
                name: "IX_shop_redemptions_ReserveTransferId",
                table: "shop_redemptions",
                column: "ReserveTransferId");

            migrationBuilder.CreateIndex(
                name: "IX_shop_redemptions_UnitId_Status_CreatedAt",
                table: "shop_redemptions",
                columns: new[] { "UnitId", "Status", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_shop_redemptions_VolunteerId_CreatedAt",
                table: "shop_redemptions",
                columns: new[] { "VolunteerId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_shop_stockings_ItemId_At",
                table: "shop_stockings",
                columns: new[] { "ItemId", "At" });

            // Transfers and stock deliveries are append-only: the database refuses to change or remove one (the function is the
            // service records' migration's).
            foreach (var table in new[] { "points_transfers", "shop_stockings" })
            {
                migrationBuilder.Sql($"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION wenming_append_only();");
                migrationBuilder.Sql($"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION wenming_append_only();");
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var table in new[] { "points_transfers", "shop_stockings" })
            {
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS {table}_append_only ON {table};");
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};");
            }

            migrationBuilder.DropTable(
                name: "points_earnings");

            migrationBuilder.DropTable(
                name: "points_rules");

            migrationBuilder.DropTable(
                name: "shop_redemptions");

            migrationBuilder.DropTable(
                name: "shop_stockings");

            migrationBuilder.DropTable(
                name: "points_transfers");

            migrationBuilder.DropTable(
                name: "shop_items");

            migrationBuilder.DropTable(
                name: "points_accounts");
        }
    }
}
