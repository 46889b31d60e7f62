using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Wenming.Web.Infrastructure.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class OrderIntakeIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_orders_ConfirmTokenHash",
                table: "orders");

            migrationBuilder.DropIndex(
                name: "IX_orders_DistrictId_OpenForClaim",
                table: "orders");

            migrationBuilder.DropIndex(
                name: "IX_orders_HolderTeamId",
                table: "orders");

            migrationBuilder.DropIndex(
                name: "IX_orders_PlatformId",
                table: "orders");

            migrationBuilder.DropIndex(
                name: "IX_orders_ProjectId",
                table: "orders");

            migrationBuilder.DropIndex(
                name: "IX_order_notices_UserId_CreatedAt",
                table: "order_notices");

            migrationBuilder.CreateIndex(
                name: "IX_orders_ConfirmTokenHash",
                table: "orders",
                column: "ConfirmTokenHash",
                filter: "\"ConfirmTokenHash\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_orders_DistrictId_OpenForClaim",
                table: "orders",
                columns: new[] { "DistrictId", "OpenForClaim" },
                filter: "\"OpenForClaim\"");

            migrationBuilder.CreateIndex(
                name: "IX_orders_HolderTeamId",
                table: "orders",
                column: "HolderTeamId",
                filter: "\"HolderTeamId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_orders_PlatformId_Latitude",
                table: "orders",
                columns: new[] { "PlatformId", "Latitude" });

            migrationBuilder.CreateIndex(
                name: "IX_orders_ProjectId",
                table: "orders",
                column: "ProjectId",
                filter: "\"ProjectId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_order_notices_UserId_CreatedAt",
                table: "order_notices",
                columns: new[] { "UserId", "CreatedAt" },
                filter: "\"UserId\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_orders_ConfirmTokenHash",
                table: "orders");

            migrationBuilder.DropIndex(
                name: "IX_orders_DistrictId_OpenForClaim",
                table: "orders");

            migrationBuilder.DropIndex(
                name: "IX_orders_HolderTeamId",
                table: "orders");

            migrationBuilder.DropIndex(
                name: "IX_orders_PlatformId_Latitude",
                table: "orders");

            migrationBuilder.DropIndex(
                name: "IX_orders_ProjectId",
                table: "orders");

            migrationBuilder.DropIndex(
                name: "IX_order_notices_UserId_CreatedAt",
                table: "order_notices");

            migrationBuilder.CreateIndex(
                name: "IX_orders_ConfirmTokenHash",
                table: "orders",
                column: "ConfirmTokenHash");

            migrationBuilder.CreateIndex(
                name: "IX_orders_DistrictId_OpenForClaim",
                table: "orders",
                columns: new[] { "DistrictId", "OpenForClaim" });

            migrationBuilder.CreateIndex(
                name: "IX_orders_HolderTeamId",
                table: "orders",
                column: "HolderTeamId");

            migrationBuilder.CreateIndex(
                name: "IX_orders_PlatformId",
                table: "orders",
                column: "PlatformId");

            migrationBuilder.CreateIndex(
                name: "IX_orders_ProjectId",
                table: "orders",
                column: "ProjectId");

            migrationBuilder.CreateIndex(
                name: "IX_order_notices_UserId_CreatedAt",
                table: "order_notices",
                columns: new[] { "UserId", "CreatedAt" });
        }
    }
}
