using Wenming.Web.Infrastructure;
using Wenming.Web.Infrastructure.Operations;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = ContentRoot.For(args, Directory.GetCurrentDirectory()) });
builder.AddPlatform();

var app = builder.Build();
app.UsePlatform();
app.MapFeatures();

await app.PrepareDatabaseAsync();
await app.RunAsync();

/// <summary>Visible to the test host (WebApplicationFactory).</summary>
public partial class Program;
