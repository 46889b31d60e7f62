using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Wenming.Web.Infrastructure.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class IdempotencyLease : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Claims made before the lease (no status yet) get the earliest time: the process that made them is gone, so a
            // retry takes them over.
            migrationBuilder.AddColumn<long>(
                name: "LockedUntil",
                table: "idempotency_records",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "LockedUntil",
                table: "idempotency_records");
        }
    }
}
