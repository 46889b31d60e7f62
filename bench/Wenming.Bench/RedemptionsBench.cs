using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Npgsql;
using Wenming.Web.Features.Accounts;

namespace Wenming.Bench;

/// <summary>
/// Redemptions in the points shop, on the published platform against the ceiling app's raw transaction (the same conditional
/// updates and inserts, into copies of the points tables), on the same database, in alternating rounds over loopback:
/// uncontended (each client a volunteer of their own, redeeming at their own station's shop) and contended (a burst of
/// 200 redemptions at the same instant on one account that can afford exactly k items). Afterwards the database is read:
/// exactly k accepted per burst, no balance or stock below zero, every balance equal to its entries, every district's
/// balances summing to zero, every redemption with its transfer, and stock plus redemptions equal to what was stocked.
/// <para>
/// Setup, through the platform's API as the center admin of Haidian (<c>13802000000</c>): backfilled hours earn points
/// (<c>PUT /api/v1/records/rules</c>), 1,000 points an hour (<c>PUT /api/v1/points/rules</c>), demo volunteers without points
/// are backfilled 12-hour services (<c>POST /api/v1/volunteers/{id}/records</c>; their points arrive through the ledger as
/// for any record), and items are stocked at their stations (<c>POST /api/v1/shop/items</c>). The one write the bench makes
/// itself: those volunteers' accounts get the demo password (as the tests do for new accounts), so that they sign in
/// through <c>POST /api/v1/auth/login</c>.
/// </para>
/// </summary>
internal static class RedemptionsBench
{
    private const double RatioTarget = 0.5;
    private const int Haidian = 2;

    /// <summary>The most the district's rules allow.</summary>
    private const int PointsPerHour = 1_000;

    /// <summary>The most one item can be stocked with; each uncontended volunteer redeems at most this many on each side.</summary>
    private const int Stock = 10_000;

    /// <summary>Each uncontended volunteer's points: two backfilled services of 12 hours.</summary>
    private const int UncontendedServices = 2;

    private static readonly string[] Sides = ["ceiling", "platform"];

    public static async Task RunAsync(string[] args)
    {
        var seconds = ProductBench.Number(args, "seconds", 3);
        var rounds = ProductBench.Number(args, "rounds", 3);
        var clients = ProductBench.Number(args, "clients", 16);
        var burst = ProductBench.Number(args, "burst", 200);
        var k = ProductBench.Number(args, "k", 50);
        var warmUp = ProductBench.Number(args, "warm-up", 10);
        // Every volunteer signs in from 127.0.0.1: more sign-ins a minute than the one address is allowed by default.
        await using var run = await PublishedRun.StartAsync(args, "redemptions", TimeSpan.FromMinutes(20), "", "--RateLimits:AuthPerMinute=10000");
        var (postgres, platform, http, source) = (run.Postgres, run.Platform, run.Http, run.Source);
        var setup = Stopwatch.StartNew();
        var shop = await SetUpAsync(http, platform.Address, source, postgres, clients, rounds + 1, k);
        Console.WriteLine($"Setup in {setup.Elapsed.TotalSeconds:F0} s: {clients} volunteers with {shop.Uncontended[0].Balance:N0} points each and " +
                          $"{Stock:N0} items at 1 point at their own stations; {rounds + 1} volunteers with {shop.Contended[0].Balance:N0} points and " +
                          $"an item at {shop.Contended[0].Price} points: {shop.Contended[0].Balance / shop.Contended[0].Price} affordable");

        // The ceiling copies the points tables with their rows as it starts: the same accounts, balances and stock.
        using var ceiling = await run.StartCeilingAsync(shop.Uncontended.Concat(shop.Contended).Select(a => new
        {
            a.Caller.Token,
            a.Caller.UserId,
            a.Caller.DistrictId,
            a.Caller.Name,
            a.Caller.Phone,
            UnitId = a.StationId,
            Units = Array.Empty<Guid>(),
            a.Caller.VolunteerId,
        }), "--Ceiling:Points=true");

        var sides = new Dictionary<string, Side>
        {
            ["ceiling"] = new("ceiling", ceiling, new Uri(ceiling.Address, "/redemptions"), "ceiling_"),
            ["platform"] = new("platform", platform, new Uri(platform.Address, "/api/v1/shop/redemptions"), ""),
        };
        foreach (var side in sides.Values)
        {
            side.RowsBefore = await CountAsync(source, $"SELECT COUNT(*) FROM {side.Tables}shop_redemptions");
            await CheckAsync(http, side, shop.Uncontended[0]);
        }

        var counters = await ProductBench.Counters.StartAsync(run.Cluster?.Port, source);
        using var crowd = CrowdClient(burst);
        Console.WriteLine($"Warm-up: {warmUp} s of uncontended redemptions on the platform, a third of that on the ceiling; one burst of {burst} on each");
        foreach (var side in sides.Values)
        {
            await side.UncontendedAsync(http, shop.Uncontended, TimeSpan.FromSeconds(side.Name == "platform" ? warmUp : warmUp / 3.0), counters);
            await side.BurstAsync(crowd, source, shop.Contended[0], burst, counters);
        }

        Console.WriteLine($"{rounds} rounds: each side {seconds} s in closed loop ({clients} clients, each its own volunteer and shop), then a burst of " +
                          $"{burst} at once on one volunteer's account; the sides in alternating order");
        var results = new Results();
        for (var round = 1; round <= rounds; round++)
        {
            var order = round % 2 == 1 ? Sides : [.. Sides.Reverse()];
            var uncontended = new Dictionary<string, (ProductBench.Sample Sample, LoadResult Result)>();
            foreach (var name in order)
            {
                uncontended[name] = await sides[name].UncontendedAsync(http, shop.Uncontended, TimeSpan.FromSeconds(seconds), counters);
            }

            var contended = new Dictionary<string, (ProductBench.Sample Sample, LoadResult Result)>();
            foreach (var name in order)
            {
                contended[name] = await sides[name].BurstAsync(crowd, source, shop.Contended[round], burst, counters);
            }

            results.Uncontended.Add(uncontended);
            results.Contended.Add(contended);
            Console.WriteLine($"round {round}: uncontended ceiling {uncontended["ceiling"].Sample.Rate:N0}/s, platform {uncontended["platform"].Sample.Rate:N0}/s, " +
                              $"ratio {uncontended["platform"].Sample.Rate / uncontended["ceiling"].Sample.Rate:F2}; {burst} at once on one account: " +
                              $"ceiling {contended["ceiling"].Sample.Rate:N0}/s, platform {contended["platform"].Sample.Rate:N0}/s, " +
                              $"ratio {contended["platform"].Sample.Rate / contended["ceiling"].Sample.Rate:F2}");
        }

        // One client alone on each side: a redemption's own cost and time, with nothing else in the database's way.
        var alone = new Dictionary<string, (ProductBench.Sample Sample, LoadResult Result)>();
        foreach (var name in Sides)
        {
            alone[name] = await sides[name].UncontendedAsync(http, [shop.Uncontended[0]], TimeSpan.FromSeconds(seconds), counters);
        }

        foreach (var side in sides.Values)
        {
            await side.VerifyAsync(source);
        }

        var floor = await ProductBench.Sample.TakeAsync(platform, counters, async () => ProductBench.Expect(await LoadGenerator.ClosedLoopAsync(http,
            n => ProductBench.Get(new Uri(platform.Address, "/api/v1/me"), shop.Uncontended[(int)(n % clients)].Caller.Token), 4, TimeSpan.FromSeconds(3)),
            "GET /api/v1/me"));
        Console.WriteLine();
        Console.WriteLine(results.Table(run.What, clients, burst, k, sides));
        Console.WriteLine();
        Console.WriteLine(await results.WhereTheTimeGoesAsync(postgres, counters, floor, alone));
        Console.WriteLine($"Whole bench {run.Total.Elapsed.TotalSeconds:F0} s");
    }

    /// <summary>A volunteer signed in, their station, their points and the item they redeem (its price and stock when stocked).</summary>
    private sealed record Account(RecordsBench.Caller Caller, Guid StationId, long Balance, Guid ItemId, int Price, int Quantity)
    {
        public Guid VolunteerId => Caller.VolunteerId!.Value;
    }

    private sealed record Shop(Account[] Uncontended, Account[] Contended);

    /// <summary>
    /// Demo volunteers of Haidian without points, each at a station of their own, given the demo password and signed in; points
    /// earned from backfilled hours; an item stocked at each one's station by the center admin.
    /// </summary>
    private static async Task<Shop> SetUpAsync(HttpClient http, Uri platform, DbDataSource source, bool postgres, int uncontended, int contended, int k)
    {
        var admin = await RecordsBench.SignInAsync(http, platform, BenchHost.Phone(Haidian, "00"));
        await SendAsync(http, admin.Token, HttpMethod.Put, new Uri(platform, "/api/v1/records/rules"), new { backfillEarnsPoints = true });
        var rules = await SendAsync(http, admin.Token, HttpMethod.Get, new Uri(platform, "/api/v1/points/rules"));
        await SendAsync(http, admin.Token, HttpMethod.Put, new Uri(platform, "/api/v1/points/rules"), new
        {
            perHour = PointsPerHour,
            perOrder = rules.GetProperty("perOrder").GetInt32(),
            expiresYearly = false,
            version = rules.GetProperty("version").GetInt32(),
        });
        var platformId = (await SendAsync(http, admin.Token, HttpMethod.Get, new Uri(platform, "/api/v1/platforms"))).EnumerateArray().First().GetProperty("id").GetGuid();

        // Volunteers at distinct stations, so that no two share an account, an item or a shop's pending account.
        var people = new List<(Guid Id, Guid UserId, Guid Station, string Phone)>();
        await using (var connection = await source.OpenConnectionAsync())
        {
            await using (var cmd = RecordsBench.Command(connection, postgres, """
                     SELECT v."Id", v."UserId", v."HomeUnitId", u."UserName" FROM volunteers v JOIN "AspNetUsers" u ON u."Id" = v."UserId"
                     WHERE v."DistrictId" = @d AND v."Status" = 2 AND u."UserName" NOT LIKE '1380%'
                       AND NOT EXISTS (SELECT 1 FROM points_accounts a WHERE a."OwnerId" = v."Id")
                     ORDER BY v."Number" LIMIT 5000
                     """, ("d", admin.DistrictId)))
            await using (var reader = await cmd.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync() && people.Count < uncontended + contended)
                {
                    var person = (reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetString(3));
                    if (people.All(p => p.Station != person.Item3))
                    {
                        people.Add(person);
                    }
                }
            }

            if (people.Count < uncontended + contended)
            {
                throw new InvalidOperationException($"only {people.Count} volunteers of Haidian without points at distinct stations");
            }

            var hash = new PasswordHasher<AppUser>().HashPassword(new AppUser(), "Demo#2026");
            foreach (var person in people)
            {
                await using var cmd = RecordsBench.Command(connection, postgres, """UPDATE "AspNetUsers" SET "PasswordHash" = @h WHERE "Id" = @id""",
                    ("h", hash), ("id", person.UserId));
                await cmd.ExecuteNonQueryAsync();
            }
        }

        var callers = new List<RecordsBench.Caller>();
        foreach (var person in people)
        {
            callers.Add(await RecordsBench.SignInAsync(http, platform, person.Phone));
        }

        // Points as any volunteer earns them: hours recorded (here backfilled by the center's admin), then earned by the ledger.
        var today = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero);
        for (var i = 0; i < people.Count; i++)
        {
            var (services, hours) = i < uncontended ? (UncontendedServices, 12) : (1, 1);
            for (var s = 0; s < services; s++)
            {
                var started = today.AddDays(-2 - s).AddHours(0.5);
                await SendAsync(http, admin.Token, HttpMethod.Post, new Uri(platform, $"/api/v1/volunteers/{people[i].Id}/records"), new
                {
                    title = "爱心超市值守",
                    platformId,
                    startedAt = started,
                    endedAt = started.AddHours(hours),
                    reason = "按值班表补录的服务时长",
                });
            }
        }

        var balances = new long[people.Count];
        var waited = Stopwatch.StartNew();
        for (var i = 0; i < people.Count; i++)
        {
            var expected = i < uncontended ? UncontendedServices * 12L * PointsPerHour : PointsPerHour;
            while ((balances[i] = (await SendAsync(http, admin.Token, HttpMethod.Get, new Uri(platform, $"/api/v1/points/accounts/{people[i].Id}")))
                       .GetProperty("balance").GetInt64()) < expected)
            {
                if (waited.Elapsed > TimeSpan.FromMinutes(3))
                {
                    throw new TimeoutException($"volunteer {people[i].Id} has {balances[i]} of {expected} points after {waited.Elapsed.TotalSeconds:F0} s");
                }

                await Task.Delay(200);
            }
        }

        var accounts = new List<Account>();
        for (var i = 0; i < people.Count; i++)
        {
            // Contended: the account, not the stock, is what runs out (k items at most, 20 times that on the shelf).
            var (price, quantity) = i < uncontended ? (1, Stock) : ((int)(balances[i] / k), 20 * k);
            var item = await SendAsync(http, admin.Token, HttpMethod.Post, new Uri(platform, "/api/v1/shop/items"), new
            {
                unitId = people[i].Station,
                name = i < uncontended ? "洗衣液（2 千克装）" : "限量纪念徽章",
                price,
                quantity,
                donor = "区志愿服务联合会",
            });
            accounts.Add(new Account(callers[i], people[i].Station, balances[i], item.GetProperty("id").GetGuid(), price, quantity));
        }

        return new Shop([.. accounts.Take(uncontended)], [.. accounts.Skip(uncontended)]);
    }

    /// <summary>One app: where it takes redemptions, which tables it writes, and what it answered.</summary>
    private sealed class Side(string name, PublishedApp app, Uri redemptions, string tables)
    {
        /// <summary>Each uncontended volunteer's redemptions on this side so far (they stop short of the stock).</summary>
        private long[]? _spent;

        public string Name => name;
        public PublishedApp App => app;
        public string Tables => tables;
        public long RowsBefore { get; set; }

        /// <summary>Redemptions this side answered as made (201), each once.</summary>
        public long Made { get; set; }

        /// <summary>Contended bursts: what each found wrong, listed.</summary>
        public List<string> Violations { get; } = [];

        public int BurstViolations { get; private set; }
        public int LedgerViolations { get; private set; }

        public HttpRequestMessage Redeem(Account account, string? key = null)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, redemptions) { Content = JsonContent.Create(new { itemId = account.ItemId }) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", account.Caller.Token);
            request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString("N"));
            return request;
        }

        /// <summary>Closed loop, client c redeeming as volunteer c, each within the stock of their item.</summary>
        public async Task<(ProductBench.Sample Sample, LoadResult Result)> UncontendedAsync(HttpClient http, Account[] accounts, TimeSpan duration,
            ProductBench.Counters counters)
        {
            _spent ??= new long[accounts.Length];
            var left = accounts.Min(a => a.Quantity) - 100 - _spent.Max();
            if (left <= 0)
            {
                throw new InvalidOperationException($"{name}: the uncontended volunteers' stock is spent; run fewer or shorter rounds");
            }

            var sent = new long[accounts.Length];
            LoadResult? result = null;
            var sample = await ProductBench.Sample.TakeAsync(app, counters, async () => result = ProductBench.Expect(await LoadGenerator.ClosedLoopAsync(http,
                (c, _) => Interlocked.Increment(ref sent[c]) <= left ? Redeem(accounts[c]) : null,
                accounts.Length, duration), $"uncontended redemptions, {name}"));
            for (var c = 0; c < accounts.Length; c++)
            {
                _spent[c] += Math.Min(sent[c], left);
            }

            if (sent.Any(s => s > left))
            {
                throw new InvalidOperationException($"{name}: a volunteer reached the end of their stock; run fewer or shorter rounds");
            }

            Made += result!.Ok;
            return (sample, result);
        }

        /// <summary>
        /// <paramref name="count"/> redemptions sent at the same instant on one account, each with its own key; then read back: exactly
        /// the affordable number accepted (the rest refused for want of points), as many redemptions written, the balance and the
        /// stock down by as much.
        /// </summary>
        public async Task<(ProductBench.Sample Sample, LoadResult Result)> BurstAsync(HttpClient crowd, DbDataSource source, Account account, int count,
            ProductBench.Counters counters)
        {
            var statuses = new int[count];
            LoadResult? result = null;
            var sample = await ProductBench.Sample.TakeAsync(app, counters, async () => result = await AllAtOnceAsync(crowd, count, _ => Redeem(account), statuses));
            var affordable = (int)(account.Balance / account.Price);
            var accepted = statuses.Count(s => s == 201);
            var refused = statuses.Count(s => s == 422);
            Made += accepted;
            var (rows, balance, stock) = await StateAsync(source, account);
            var found = new List<string>();
            if (accepted != affordable)
            {
                found.Add($"{accepted} accepted, not {affordable}");
            }

            if (accepted + refused != count)
            {
                found.Add($"{count - accepted - refused} answered neither 201 nor 422 (first: {result!.FirstError})");
            }

            if (rows != accepted)
            {
                found.Add($"{rows} redemptions written for {accepted} accepted");
            }

            if (balance != account.Balance - (long)accepted * account.Price || balance < 0)
            {
                found.Add($"balance {balance}, not {account.Balance} − {accepted} × {account.Price}");
            }

            if (stock != account.Quantity - accepted || stock < 0)
            {
                found.Add($"stock {stock}, not {account.Quantity} − {accepted}");
            }

            BurstViolations += found.Count;
            Violations.AddRange(found.Select(f => $"{name}, burst on {account.Caller.Phone}: {f}"));
            return (sample, result!);
        }

        /// <summary>The account's redemptions, balance and item's stock in this side's tables.</summary>
        private async Task<(long Rows, long Balance, long Stock)> StateAsync(DbDataSource source, Account account)
        {
            await using var connection = await source.OpenConnectionAsync();
            var values = new List<long>();
            foreach (var (sql, id) in new[]
                     {
                         ($"""SELECT COUNT(*) FROM {tables}shop_redemptions WHERE "VolunteerId" = @id""", account.VolunteerId),
                         ($"""SELECT "Balance" FROM {tables}points_accounts WHERE "Kind" = 2 AND "OwnerId" = @id""", account.VolunteerId),
                         ($"""SELECT "Quantity" FROM {tables}shop_items WHERE "Id" = @id""", account.ItemId),
                     })
            {
                await using var cmd = RecordsBench.Command(connection, source is NpgsqlDataSource, sql, ("id", id));
                values.Add(Convert.ToInt64(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture));
            }

            return (values[0], values[1], values[2]);
        }

        /// <summary>
        /// All of this side's tables after the run, in one statement each: accounts whose balance differs from their entries or sits
        /// below zero, districts whose balances do not sum to zero, items below zero or whose stock and redemptions do not add up to
        /// what was stocked, redemptions without their reserve transfer (or reserve transfers without a redemption), and redemptions
        /// written against those answered as made.
        /// </summary>
        public async Task VerifyAsync(DbDataSource source)
        {
            var t = tables;
            string[] checks =
            [
                $"""
                 SELECT COUNT(*) FROM {t}points_accounts a LEFT JOIN (
                     SELECT "AccountId", SUM("Delta") AS "Net" FROM (
                         SELECT "CreditAccountId" AS "AccountId", "Amount" AS "Delta" FROM {t}points_transfers
                         UNION ALL SELECT "DebitAccountId", -"Amount" FROM {t}points_transfers) m GROUP BY "AccountId") s ON s."AccountId" = a."Id"
                 WHERE a."Balance" <> COALESCE(s."Net", 0) OR (a."Kind" <> 1 AND a."Balance" < 0)
                 """,
                $"""SELECT COUNT(*) FROM (SELECT "DistrictId" FROM {t}points_accounts GROUP BY "DistrictId" HAVING SUM("Balance") <> 0) d""",
                $"""
                 SELECT COUNT(*) FROM {t}shop_items i
                 WHERE i."Quantity" < 0 OR i."Quantity" + (SELECT COUNT(*) FROM {t}shop_redemptions r WHERE r."ItemId" = i."Id")
                     <> (SELECT COALESCE(SUM(s."Quantity"), 0) FROM shop_stockings s WHERE s."ItemId" = i."Id")
                 """,
                $"""
                 SELECT COUNT(*) FROM {t}shop_redemptions r LEFT JOIN {t}points_transfers x ON x."Id" = r."ReserveTransferId"
                 WHERE x."Id" IS NULL OR x."Amount" <> r."Price" OR x."Kind" <> 3
                 """,
                $"""SELECT ABS((SELECT COUNT(*) FROM {t}points_transfers WHERE "Kind" = 3) - (SELECT COUNT(*) FROM {t}shop_redemptions))""",
            ];
            string[] names =
            [
                "accounts whose balance is not their entries' sum, or below zero", "districts whose balances do not sum to zero",
                "items below zero or whose stock and redemptions do not add up to what was stocked", "redemptions without their reserve transfer",
                "reserve transfers without a redemption, or the reverse",
            ];
            for (var i = 0; i < checks.Length; i++)
            {
                var found = await CountAsync(source, checks[i]);
                if (found != 0)
                {
                    LedgerViolations += (int)found;
                    Violations.Add($"{name}: {found} {names[i]}");
                }
            }

            var rows = await CountAsync(source, $"SELECT COUNT(*) FROM {t}shop_redemptions") - RowsBefore;
            if (rows != Made)
            {
                LedgerViolations++;
                Violations.Add($"{name}: {rows} redemptions written for {Made} answered as made");
            }
        }
    }

    /// <summary>The rounds' samples by side, and the table and the analysis made of them.</summary>
    private sealed class Results
    {
        public List<Dictionary<string, (ProductBench.Sample Sample, LoadResult Result)>> Uncontended { get; } = [];
        public List<Dictionary<string, (ProductBench.Sample Sample, LoadResult Result)>> Contended { get; } = [];

        public string Table(string what, int clients, int burst, int k, Dictionary<string, Side> sides)
        {
            var lines = new List<string>
            {
                $"== redemptions, {what}: the platform against the ceiling's raw transaction, in the same run",
                $"   {"scenario",-64} {"platform/s",10} {"ceiling/s",10} {"ratio (min–max)",18} {"p50/p99 ms platform; ceiling",30} {"violations p/c",14}",
            };
            foreach (var (scenario, rounds, violations) in new (string, List<Dictionary<string, (ProductBench.Sample Sample, LoadResult Result)>>, Func<Side, int>)[]
                     {
                         ($"uncontended: {clients} clients, each its own account and shop", Uncontended, s => s.LedgerViolations),
                         ($"contended: {burst} at once on one account affording {k} (answered/s)", Contended, s => s.BurstViolations + s.LedgerViolations),
                     })
            {
                var rate = Sides.ToDictionary(s => s, s => rounds.Sum(r => r[s].Sample.Requests) / rounds.Sum(r => r[s].Sample.Seconds));
                var ratios = rounds.Select(r => r["platform"].Sample.Rate / r["ceiling"].Sample.Rate).ToList();
                var latency = Sides.ToDictionary(s => s, s => LoadResult.Combine([.. rounds.Select(r => r[s].Result)]));
                lines.Add($"   {scenario,-64} {rate["platform"],10:N0} {rate["ceiling"],10:N0} " +
                          $"{$"{ProductBench.Median(ratios):F2} ({ratios.Min():F2}–{ratios.Max():F2})",18} " +
                          $"{$"{latency["platform"].P50:F1}/{latency["platform"].P99:F1}; {latency["ceiling"].P50:F1}/{latency["ceiling"].P99:F1}",30} " +
                          $"{$"{violations(sides["platform"])} / {violations(sides["ceiling"])}",14}");
            }

            var uncontended = ProductBench.Median(Uncontended.Select(r => r["platform"].Sample.Rate / r["ceiling"].Sample.Rate));
            lines.Add($"   uncontended ratio {uncontended:F2}, target ≥ {RatioTarget} {ProductBench.Verdict(uncontended >= RatioTarget)}; violations " +
                      $"{ProductBench.Verdict(sides.Values.All(s => s.Violations.Count == 0))}");
            lines.AddRange(sides.Values.SelectMany(s => s.Violations).Select(v => "   violation: " + v));
            return string.Join(Environment.NewLine, lines);
        }

        /// <summary>
        /// Per redemption, uncontended: the CPU of each app and of PostgreSQL, the cores they kept busy, the statements; one client
        /// alone on each side; and the platform's floor.
        /// </summary>
        public async Task<string> WhereTheTimeGoesAsync(bool postgres, ProductBench.Counters counters, ProductBench.Sample floor,
            Dictionary<string, (ProductBench.Sample Sample, LoadResult Result)> alone)
        {
            var cost = Sides.ToDictionary(s => s, s => Uncontended.Select(r => r[s].Sample).Aggregate((a, b) => a + b));
            string Busy(Func<ProductBench.Sample, double> of) =>
                string.Join(" / ", new[] { "platform", "ceiling" }.Select(s => (of(cost[s]) / (cost[s].Seconds * 1000)).ToString("F2", CultureInfo.InvariantCulture)));
            string PerRequest(Func<ProductBench.Sample, double> of, string format) =>
                string.Join(" / ", new[] { "platform", "ceiling" }.Select(s => (of(cost[s]) / cost[s].Requests).ToString(format, CultureInfo.InvariantCulture)));
            var lines = new List<string>
            {
                "Where the time goes, per uncontended redemption, platform / ceiling:",
                $"  CPU of the app {PerRequest(s => s.AppCpu, "F3")} ms" +
                (postgres
                    ? $", of PostgreSQL {PerRequest(s => s.DatabaseCpu, "F3")} ms; statements {PerRequest(s => s.Statements.Values.Sum(x => x.Calls), "F1")}, " +
                      $"their execution (wall time) {PerRequest(s => s.Statements.Values.Sum(x => x.Ms), "F3")} ms"
                    : "") +
                $"; load generator {PerRequest(s => s.DriverCpu, "F3")} ms; other processes took {cost.Values.Average(s => s.Others):P0} of the machine",
                $"  cores kept busy on average (of {Environment.ProcessorCount}): the app {Busy(s => s.AppCpu)}" +
                (postgres ? $", PostgreSQL {Busy(s => s.DatabaseCpu)}" : ""),
                // Its rate and latency only: at a low rate the app's background work weighs on each request's CPU.
                "  one client alone, platform / ceiling: " + string.Join(" / ", new[] { "platform", "ceiling" }.Select(s =>
                    $"{alone[s].Sample.Rate:N0}/s (p50 {alone[s].Result.P50:F2} ms)")),
                $"  the platform's floor, GET /api/v1/me (a signed-in request that does nothing else): CPU {floor.AppCpu / floor.Requests:F3} ms" +
                (postgres ? $" + PostgreSQL {floor.DatabaseCpu / floor.Requests:F3} ms, {floor.Statements.Values.Sum(x => x.Calls) / (double)floor.Requests:F1} statements" : ""),
            };
            if (postgres)
            {
                var texts = await counters.TextsAsync(160);
                var platform = cost["platform"];
                lines.Add("  the platform's statements per redemption (calls × execution wall time in ms):");
                lines.AddRange(platform.Statements.Where(x => x.Value.Calls >= platform.Requests / 100).OrderByDescending(x => x.Value.Calls)
                    .ThenByDescending(x => x.Value.Ms).Take(20).Select(x =>
                        $"    {x.Value.Calls / (double)platform.Requests,4:F2} × {x.Value.Ms / Math.Max(1, x.Value.Calls),6:F3} ms  {texts.GetValueOrDefault(x.Key, "?")}"));
            }

            return string.Join(Environment.NewLine, lines);
        }
    }

    /// <summary>Both sides refuse a redemption without a token, and make one redemption once when it is sent twice with the same key.</summary>
    private static async Task CheckAsync(HttpClient http, Side side, Account account)
    {
        using (var anonymous = side.Redeem(account))
        {
            anonymous.Headers.Authorization = null;
            using var refused = await http.SendAsync(anonymous);
            if ((int)refused.StatusCode != 401)
            {
                throw new InvalidOperationException($"{side.Name}: a redemption without a token answered {(int)refused.StatusCode}, not 401");
            }
        }

        var key = Guid.NewGuid().ToString("N");
        var ids = new List<Guid>();
        for (var i = 0; i < 2; i++)
        {
            using var request = side.Redeem(account, key);
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            if ((int)response.StatusCode != 201)
            {
                throw new InvalidOperationException($"{side.Name}: a redemption answered {(int)response.StatusCode}: {body[..Math.Min(400, body.Length)]}" +
                                                    Environment.NewLine + side.App.Tail());
            }

            ids.Add(JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid());
        }

        if (ids[0] != ids[1])
        {
            throw new InvalidOperationException($"{side.Name}: the same Idempotency-Key made two redemptions");
        }

        side.Made++;
    }

    /// <summary>
    /// <paramref name="count"/> requests made first, then released together; the time from their release to the last answer. A 201
    /// or a 422 counts as answered; the statuses land in <paramref name="statuses"/> (−1: no answer).
    /// </summary>
    private static async Task<LoadResult> AllAtOnceAsync(HttpClient http, int count, Func<int, HttpRequestMessage> make, int[] statuses)
    {
        var requests = Enumerable.Range(0, count).Select(make).ToArray();
        var latencies = new double[count];
        string? firstError = null;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sends = requests.Select(async (request, i) =>
        {
            await gate.Task;
            var sent = Stopwatch.GetTimestamp();
            try
            {
                using (request)
                using (var response = await http.SendAsync(request))
                {
                    statuses[i] = (int)response.StatusCode;
                    if (statuses[i] is not (201 or 422))
                    {
                        Interlocked.CompareExchange(ref firstError, $"{statuses[i]}: {await response.Content.ReadAsStringAsync()}", null);
                    }
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                statuses[i] = -1;
                Interlocked.CompareExchange(ref firstError, e.Message, null);
            }

            latencies[i] = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
        }).ToArray();
        var start = Stopwatch.GetTimestamp();
        gate.SetResult();
        await Task.WhenAll(sends);
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var answered = statuses.Count(s => s is 201 or 422);
        return new LoadResult(answered, count - answered, seconds, [.. latencies], firstError);
    }

    /// <summary>A client for the bursts: a connection for each of the crowd, kept open between them.</summary>
    private static HttpClient CrowdClient(int crowd) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = crowd,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
        UseCookies = false,
    })
    {
        Timeout = TimeSpan.FromSeconds(60),
    };

    private static async Task<JsonElement> SendAsync(HttpClient http, string token, HttpMethod method, Uri uri, object? body = null)
    {
        using var request = new HttpRequestMessage(method, uri) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {uri} answered {(int)response.StatusCode}: {text[..Math.Min(400, text.Length)]}");
        }

        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<long> CountAsync(DbDataSource source, string sql)
    {
        await using var cmd = source.CreateCommand(sql);
        cmd.CommandTimeout = 600;
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }
}
