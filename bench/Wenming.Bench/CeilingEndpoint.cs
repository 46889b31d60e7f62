using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Npgsql;
using NpgsqlTypes;
using Wenming.Web.Features.Orders;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Bench;

/// <summary>
/// The order-intake ceiling, mapped only in the bench host: the same order body over the same HTTP pipeline (routing,
/// bearer authentication, the data scope with its grants read from the database, idempotency, the fallback policy of a
/// signed-in user), then one INSERT of a row about as wide as an order, on a connection of its own from an
/// <see cref="NpgsqlDataSource"/>, and a 201 with the new id.
/// </summary>
internal sealed class CeilingEndpoint(NpgsqlDataSource dataSource) : IStartupFilter
{
    public const string Path = "/api/v1/bench/ceiling";

    private static readonly Wenming.Web.Features.Orders.OrderNumbers Numbers = new();

    private const string Table = """
                                 CREATE TABLE IF NOT EXISTS bench_orders (
                                     id uuid PRIMARY KEY,
                                     district_id uuid NOT NULL,
                                     requester_user_id uuid NOT NULL,
                                     number varchar(20) NOT NULL,
                                     title varchar(100) NOT NULL,
                                     description varchar(1000),
                                     platform_id uuid NOT NULL,
                                     wanted_at timestamptz,
                                     contact_name varchar(50) NOT NULL,
                                     contact_phone varchar(20) NOT NULL,
                                     state integer NOT NULL,
                                     step_index integer NOT NULL,
                                     created_at timestamptz NOT NULL,
                                     updated_at timestamptz NOT NULL,
                                     version integer NOT NULL)
                                 """;

    public static async Task CreateTableAsync(NpgsqlDataSource dataSource)
    {
        await using var cmd = dataSource.CreateCommand(Table);
        await cmd.ExecuteNonQueryAsync();
    }

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        next(app);
        // After the platform's whole pipeline: a request none of its endpoints took (and its authorization let through)
        // reaches this second routing stage.
        app.UseRouting();
        app.UseEndpoints(e => e.MapPost(Path, InsertAsync));
    };

    private async Task<IResult> InsertAsync(OrderInput input, DataScope scope, CancellationToken ct)
    {
        if (scope.UserId is not { } userId)
        {
            return Results.Unauthorized();
        }

        if (string.IsNullOrWhiteSpace(input.Title) || input.PlatformId is null)
        {
            return Results.BadRequest();
        }

        var id = Guid.CreateVersion7();
        var now = DateTimeOffset.UtcNow;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(
            "INSERT INTO bench_orders VALUES (@id, @district, @user, @number, @title, @description, @platform, @wanted, @name, @phone, 2, 1, @now, @now, 1)",
            connection);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("district", scope.DistrictId);
        cmd.Parameters.AddWithValue("user", userId);
        // A number drawn as an order's is (the same cost on both sides).
        cmd.Parameters.AddWithValue("number", Numbers.Next(scope.DistrictId, now));
        cmd.Parameters.AddWithValue("title", input.Title.Trim());
        cmd.Parameters.AddWithValue("description", NpgsqlDbType.Varchar, (object?)input.Description?.Trim() ?? DBNull.Value);
        cmd.Parameters.AddWithValue("platform", input.PlatformId.Value);
        cmd.Parameters.AddWithValue("wanted", NpgsqlDbType.TimestampTz, (object?)input.WantedAt?.ToUniversalTime() ?? DBNull.Value);
        cmd.Parameters.AddWithValue("name", "赵桂兰");
        cmd.Parameters.AddWithValue("phone", scope.Phone ?? "");
        cmd.Parameters.AddWithValue("now", now);
        await cmd.ExecuteNonQueryAsync(ct);
        return Results.Created($"{Path}/{id}", new { id });
    }
}
