using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

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

    /// <summary>An uploaded photo's bytes and type, or the refusal people read: missing, over the size cap, or not an image.</summary>
    public static async Task<(byte[] Content, string Type)> ReadUploadAsync(IFormFile? file, CancellationToken ct)
    {
        if (file is null || file.Length == 0)
        {
            throw new Problems.InputException(new Dictionary<string, string[]> { ["file"] = ["请选择照片"] });
        }

        if (file.Length > MaxBytes)
        {
            throw new Data.DomainException("photo-too-large", "照片不能超过 2 MB", 413);
        }

        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer, ct);
        var type = ContentType(buffer.GetBuffer().AsSpan(0, (int)buffer.Length))
                   ?? throw new Data.DomainException("photo-not-image", "只接受 JPEG、PNG 或 WebP 格式的照片");
        return (buffer.ToArray(), type);
    }
}

/// <summary>
/// A photo kept in the file store for something of a district (an order's delivery, an activity): the stored name (ours,
/// never the uploader's), its checked type, and who added it when. Not an entity itself: each kind of photo has its own
/// table with its owner's key.
/// </summary>
internal abstract class StoredPhoto : Tenancy.IDistrictOwned
{
    protected StoredPhoto()
    {
    }

    protected StoredPhoto(Guid districtId, string fileName, string contentType, Guid? uploadedById, DateTimeOffset now)
    {
        Id = Data.Ids.New();
        DistrictId = districtId;
        FileName = fileName;
        ContentType = contentType;
        UploadedById = uploadedById;
        UploadedAt = now;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public string FileName { get; private set; } = "";
    public string ContentType { get; private set; } = "";
    public Guid? UploadedById { get; private set; }
    public DateTimeOffset UploadedAt { get; private set; }

    /// <summary>The columns every kind of photo shares, in its own table.</summary>
    public static void Map<TPhoto>(EntityTypeBuilder<TPhoto> b, string table)
        where TPhoto : StoredPhoto
    {
        b.ToTable(table);
        b.Property(p => p.FileName).HasMaxLength(120);
        b.Property(p => p.ContentType).HasMaxLength(20);
    }
}
