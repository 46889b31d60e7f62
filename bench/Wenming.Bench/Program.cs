using Wenming.Bench;

// One command per benchmark: dotnet run -c Release --project bench/Wenming.Bench -- <name>
var name = args.Length > 0 ? args[0] : "subtree";
switch (name)
{
    case "subtree":
        await SubtreeBench.RunAsync(args.Skip(1).ToArray());
        break;
    case "volunteer-import":
        await VolunteerImportBench.RunAsync(args.Skip(1).ToArray());
        break;
    default:
        Console.Error.WriteLine($"unknown benchmark '{name}'; available: subtree, volunteer-import");
        Environment.ExitCode = 2;
        break;
}
