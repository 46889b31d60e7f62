using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Wenming.Web.Infrastructure.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class DemandStatus : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Answer",
                table: "demands",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "AnsweredAt",
                table: "demands",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "AnsweredById",
                table: "demands",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "MenuItemId",
                table: "demands",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "ProjectId",
                table: "demands",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Status",
                table: "demands",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "Version",
                table: "demands",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateIndex(
                name: "IX_demands_MenuItemId",
                table: "demands",
                column: "MenuItemId");

            migrationBuilder.CreateIndex(
                name: "IX_demands_ProjectId",
                table: "demands",
                column: "ProjectId");

            migrationBuilder.CreateIndex(
                name: "IX_demands_RaisedById",
                table: "demands",
                column: "RaisedById");

            migrationBuilder.AddForeignKey(
                name: "FK_demands_menu_items_MenuItemId",
                table: "demands",
                column: "MenuItemId",
                principalTable: "menu_items",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "FK_demands_projects_ProjectId",
                table: "demands",
                column: "ProjectId",
                principalTable: "projects",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_demands_menu_items_MenuItemId",
                table: "demands");

            migrationBuilder.DropForeignKey(
                name: "FK_demands_projects_ProjectId",
                table: "demands");

            migrationBuilder.DropIndex(
                name: "IX_demands_MenuItemId",
                table: "demands");

            migrationBuilder.DropIndex(
                name: "IX_demands_ProjectId",
                table: "demands");

            migrationBuilder.DropIndex(
                name: "IX_demands_RaisedById",
                table: "demands");

            migrationBuilder.DropColumn(
                name: "Answer",
                table: "demands");

            migrationBuilder.DropColumn(
                name: "AnsweredAt",
                table: "demands");

            migrationBuilder.DropColumn(
                name: "AnsweredById",
                table: "demands");

            migrationBuilder.DropColumn(
                name: "MenuItemId",
                table: "demands");

            migrationBuilder.DropColumn(
                name: "ProjectId",
                table: "demands");

            migrationBuilder.DropColumn(
                name: "Status",
                table: "demands");

            migrationBuilder.DropColumn(
                name: "Version",
                table: "demands");
        }
    }
}
