namespace Wenming.Bench;

/// <summary>
/// One command per benchmark: dotnet run -c Release --project bench/Wenming.Bench -- &lt;name&gt; [options]. Not a
/// top-level program: <c>Program</c> is the web application's, which the benchmarks that host it refer to.
/// </summary>
internal static class Benchmarks
{
    public static async Task<int> Main(string[] args)
    {
        var name = args.Length > 0 ? args[0] : "subtree";
        var rest = args.Skip(1).ToArray();
        switch (name)
        {
            case "subtree":
                await SubtreeBench.RunAsync(rest);
                return 0;
            case "volunteer-import":
                await VolunteerImportBench.RunAsync(rest);
                return 0;
            case "product":
                await ProductBench.RunAsync(rest);
                return 0;
            case "matching":
                await MatchingBench.RunAsync(rest);
                return 0;
            case "records":
                await RecordsBench.RunAsync(rest);
                return 0;
            case "signups":
                await SignupBench.RunAsync(rest);
                return 0;
            case "redemptions":
                await RedemptionsBench.RunAsync(rest);
                return 0;
            default:
                Console.Error.WriteLine($"unknown benchmark '{name}'; available:");
                Console.Error.WriteLine("  subtree [iterations]              subtree of a district root at national scale vs a primary-key lookup");
                Console.Error.WriteLine("  volunteer-import [rows]           100,000 volunteers from one .xlsx vs a raw COPY of the same rows");
                Console.Error.WriteLine("  product [--provider=postgres|sqlite] [--scale=default|full] [--seconds=4] [--rounds=3] [--clients=16] [--warm-up=20] [--requests=2000]");
                Console.Error.WriteLine("                                    the published platform vs a raw ceiling app: orders from the menu, the menu, a request's own CPU");
                Console.Error.WriteLine("  matching [orders] [history] [--explain]");
                Console.Error.WriteLine("                                    recommendations among Haidian's 100,000 volunteers vs a PK lookup and a raw SELECT");
                Console.Error.WriteLine("  records [--provider=postgres|sqlite] [--scale=default|full] [--seconds=3] [--rounds=3] [--clients=8] [--per=10]");
                Console.Error.WriteLine("                                    a volunteer's hours page and a district ranking over 1,000,000 records vs a PK read");
                Console.Error.WriteLine("  signups [people] [places]         2,000 people signing up at once for one activity vs a raw INSERT; accepted = places");
                Console.Error.WriteLine("  redemptions [--provider=postgres|sqlite] [--scale=default|full] [--seconds=3] [--rounds=3] [--clients=16] [--burst=200] [--k=50] [--warm-up=10]");
                Console.Error.WriteLine("                                    points-shop redemptions, uncontended and 200 at once on one account, vs a raw transaction; no violations");
                return 2;
        }
    }
}
