using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Wenming.Web.Infrastructure.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class DropOrphanDuplicateIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // DuplicateIndex (landed, then folded into OrderIntakeIndexes as (PlatformId, Latitude)) created this index on
            // installations that ran that version; the model no longer has it, and every placed order would keep writing it.
            migrationBuilder.Sql("DROP INDEX IF EXISTS \"IX_orders_DistrictId_Latitude\";");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Nothing to restore: the index belongs to no version of the model this one follows.
        }
    }
}
