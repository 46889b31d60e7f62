namespace Wenming.Web.Infrastructure.Files;

/// <summary>Where uploaded files live: a real seam (local disk here, object storage in a larger deployment).</summary>
internal interface IFileStore
{
    Task SaveAsync(string name, ReadOnlyMemory<byte> content, CancellationToken ct);

    Task<byte[]?> ReadAsync(string name, CancellationToken ct);

    Task DeleteAsync(string name, CancellationToken ct);
}

/// <summary>Files under a folder (Files:Root, default the data folder beside the database).</summary>
internal sealed class LocalFileStore(string root) : IFileStore
{
    public async Task SaveAsync(string name, ReadOnlyMemory<byte> content, CancellationToken ct)
    {
        var path = PathOf(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, content.ToArray(), ct);
    }

    public async Task<byte[]?> ReadAsync(string name, CancellationToken ct)
    {
        var path = PathOf(name);
        return File.Exists(path) ? await File.ReadAllBytesAsync(path, ct) : null;
    }

    public Task DeleteAsync(string name, CancellationToken ct)
    {
        File.Delete(PathOf(name));
        return Task.CompletedTask;
    }

    /// <summary>Names are ours (ids), never the uploader's: no path can leave the root.</summary>
    private string PathOf(string name) =>
        name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '/' or '.') && !name.Contains("..", StringComparison.Ordinal)
            ? Path.Combine(root, name)
            : throw new ArgumentException("invalid file name", nameof(name));
}

/// <summary>Accepts only real images, recognised by their first bytes rather than their name or declared type.</summary>
internal static class Images
{
    public const int MaxBytes = 2 * 1024 * 1024;

    public static string? ContentType(ReadOnlySpan<byte> data) => data switch
    {
        [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, ..] => "image/png",
        [(byte)'R', (byte)'I', (byte)'F', (byte)'F', _, _, _, _, (byte)'W', (byte)'E', (byte)'B', (byte)'P', ..] => "image/webp",
        _ => null,
    };
}
