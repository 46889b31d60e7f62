using Microsoft.EntityFrameworkCore;

namespace Wenming.Web.Infrastructure.Data;

/// <summary>Whether a failed save was refused by a unique index (the same thing done twice), and nothing else.</summary>
internal static class UniqueViolation
{
    public static bool Is(DbUpdateException e) => e.InnerException switch
    {
        Npgsql.PostgresException p => p.SqlState == Npgsql.PostgresErrorCodes.UniqueViolation,
        Microsoft.Data.Sqlite.SqliteException s => s.SqliteErrorCode == 19 && s.SqliteExtendedErrorCode is 2067 or 1555, // UNIQUE, PRIMARY KEY
        _ => false,
    };
}
