using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Wenming.Web.Infrastructure.Data;

/// <summary>
/// Writes many new rows at once, inside the caller's transaction: PostgreSQL's binary COPY there (columns and value
/// conversions read from the EF model, so it follows the mappings), the change tracker elsewhere. For imports whose
/// rows the application has already checked.
/// </summary>
internal static class BulkInsert
{
    public static async Task WriteAsync<T>(AppDbContext db, IReadOnlyCollection<T> rows, CancellationToken ct)
        where T : class
    {
        if (rows.Count == 0)
        {
            return;
        }

        if (!db.Database.IsNpgsql())
        {
            db.AddRange(rows);
            db.ChangeTracker.DetectChanges();
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
            return;
        }

        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T)} is not mapped");
        var properties = entity.GetProperties().Where(p => p.PropertyInfo is not null || p.FieldInfo is not null).ToList();
        var columns = string.Join(", ", properties.Select(p => $"\"{p.GetColumnName()}\""));
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var writer = await connection.BeginBinaryImportAsync($"COPY \"{entity.GetTableName()}\" ({columns}) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var row in rows)
        {
            await writer.StartRowAsync(ct);
            foreach (var property in properties)
            {
                var value = property.PropertyInfo is { } pi ? pi.GetValue(row) : property.FieldInfo!.GetValue(row);
                var converter = property.GetValueConverter() ?? property.GetTypeMapping().Converter;
                if (value is not null && converter is not null)
                {
                    value = converter.ConvertToProvider(value);
                }

                if (value is null)
                {
                    await writer.WriteNullAsync(ct);
                }
                else
                {
                    await writer.WriteAsync(value, ct);
                }
            }
        }

        await writer.CompleteAsync(ct);
    }
}
