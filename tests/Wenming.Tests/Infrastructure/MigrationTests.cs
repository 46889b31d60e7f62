using Microsoft.EntityFrameworkCore;
using Wenming.Web.Infrastructure.Data;

namespace Wenming.Tests.Infrastructure;

/// <summary>No model change may land without its migration, for either provider.</summary>
public sealed class MigrationTests
{
    [Fact]
    public void The_SQLite_migrations_match_the_model()
    {
        using var db = new SqliteDesignTimeFactory().CreateDbContext([]);
        Assert.False(db.Database.HasPendingModelChanges(), "Run: dotnet ef migrations add NAME --project src/Wenming.Web --context SqliteAppDbContext --output-dir Infrastructure/Data/Migrations/Sqlite");
    }

    [Fact]
    public void The_PostgreSQL_migrations_match_the_model()
    {
        using var db = new PostgresDesignTimeFactory().CreateDbContext([]);
        Assert.False(db.Database.HasPendingModelChanges(), "Run: dotnet ef migrations add NAME --project src/Wenming.Web --context PostgresAppDbContext --output-dir Infrastructure/Data/Migrations/PostgreSql");
    }
}
