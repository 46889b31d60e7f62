using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace Wenming.Tests.Infrastructure;

/// <summary>Finding the demo data the tests act on, by the codes the seeder gives (district code, -01 institute, -01-001 station).</summary>
internal static class TestData
{
    public const int Hongta = 4;
    public const string HongtaCode = "530402";
    public const string JiulongpoCode = "500107";
    public const int Ledu = 5;
    public const string LeduCode = "630202";

    private const string GivenNameCharacters = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红";

    /// <summary>A person's name unlikely to be taken: the prefix and three given-name characters (a name holds no digits).</summary>
    public static string PersonName(string prefix) =>
        prefix + string.Concat(Enumerable.Range(0, 3).Select(_ => GivenNameCharacters[Random.Shared.Next(GivenNameCharacters.Length)]));

    public static Task<Guid> UnitIdAsync(this TestHost host, string code) =>
        host.WithDbAsync(db => db.Units.Where(u => u.Code == code).Select(u => u.Id).SingleAsync());

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return string.IsNullOrEmpty(text) ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        Assert.True(response.IsSuccessStatusCode, $"GET {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.JsonAsync();
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, object body) => client.PostAsJsonAsync(url, body);

    public static Task<HttpResponseMessage> PutJsonAsync(this HttpClient client, string url, object body) => client.PutAsJsonAsync(url, body);

    /// <summary>A code no other test run uses, so tests that create units do not collide.</summary>
    public static string UniqueCode(string prefix) => $"{prefix}-T{Guid.NewGuid().ToString("N")[..8]}";
}
