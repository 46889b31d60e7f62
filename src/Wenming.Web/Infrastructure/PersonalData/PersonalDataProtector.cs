using System.Security.Cryptography;
using System.Text;

namespace Wenming.Web.Infrastructure.PersonalData;

/// <summary>
/// Encrypts ID numbers at rest (AES-256-GCM) and derives the keyed hash that finds duplicates without decrypting.
/// The key comes from configuration (PersonalData:Key, 32 bytes base64), never from the repository. In development a
/// key is generated once into the data folder so the demo runs with no set-up.
/// </summary>
internal sealed class PersonalDataProtector
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _encryptionKey;
    private readonly byte[] _hashKey;

    public PersonalDataProtector(byte[] masterKey)
    {
        if (masterKey.Length != 32)
        {
            throw new InvalidOperationException("PersonalData:Key must be 32 bytes, base64-encoded.");
        }

        _encryptionKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, masterKey, 32, info: "wenming:personal-data:encrypt"u8.ToArray());
        _hashKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, masterKey, 32, info: "wenming:personal-data:lookup"u8.ToArray());
    }

    public static PersonalDataProtector FromConfiguration(IConfiguration config, IHostEnvironment env)
    {
        if (config["PersonalData:Key"] is { Length: > 0 } configured)
        {
            return new PersonalDataProtector(Convert.FromBase64String(configured));
        }

        if (env.IsProduction())
        {
            throw new InvalidOperationException(
                "PersonalData:Key is not set. Generate one with `openssl rand -base64 32` and supply it through configuration (see docs/operations.md).");
        }

        var file = Path.Combine(env.ContentRootPath, "data", "personal-data.key");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        if (!File.Exists(file))
        {
            File.WriteAllText(file, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        }

        return new PersonalDataProtector(Convert.FromBase64String(File.ReadAllText(file).Trim()));
    }

    public string Encrypt(string plain)
    {
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var data = Encoding.UTF8.GetBytes(plain);
        var cipher = new byte[data.Length];
        var tag = new byte[TagSize];
        using var aes = new AesGcm(_encryptionKey, TagSize);
        aes.Encrypt(nonce, data, cipher, tag);
        return Convert.ToBase64String([.. nonce, .. tag, .. cipher]);
    }

    public string Decrypt(string stored)
    {
        var all = Convert.FromBase64String(stored);
        var nonce = all.AsSpan(0, NonceSize);
        var tag = all.AsSpan(NonceSize, TagSize);
        var cipher = all.AsSpan(NonceSize + TagSize);
        var plain = new byte[cipher.Length];
        using var aes = new AesGcm(_encryptionKey, TagSize);
        aes.Decrypt(nonce, cipher, tag, plain);
        return Encoding.UTF8.GetString(plain);
    }

    /// <summary>The same input always gives the same hash: a unique index on it refuses a second registration.</summary>
    public string LookupHash(string value) => Convert.ToHexString(HMACSHA256.HashData(_hashKey, Encoding.UTF8.GetBytes(value)));
}
