using System.Security.Cryptography;

namespace MlOps.AppHost.Local;

internal enum LocalSecretSource
{
    /// <summary>Given in the launcher's environment (<c>MLOPS_ADMIN_PASSWORD</c>, <c>MLOPS_SERVICES_CLIENT_SECRET</c>).</summary>
    Environment,

    /// <summary>Generated on an earlier run and read back from the data folder.</summary>
    Stored,

    /// <summary>Generated on this run and stored in the data folder: the only run that shows it.</summary>
    Generated,
}

/// <summary>
/// A secret local mode needs and no default may ship for (the first admin's password, the platform client's secret):
/// the configured one, else one made on the first run and kept in the data folder for the owner only.
/// </summary>
internal sealed record LocalSecret(string Value, LocalSecretSource Source)
{
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    private const int Length = 32;

    /// <summary>
    /// The configured password if any; else the one stored in <paramref name="file"/>; else a new one, stored there
    /// readable by its owner only.
    /// </summary>
    public static async Task<LocalSecret> ResolveAsync(string? configured, string file, string settingName, CancellationToken cancellationToken)
    {
        if (configured is not null)
        {
            return new LocalSecret(configured, LocalSecretSource.Environment);
        }

        if (await ReadAsync(file, settingName, cancellationToken) is { } stored)
        {
            return new LocalSecret(stored, LocalSecretSource.Stored);
        }

        var generated = Generate();
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            await using var stream = new FileStream(file, options);
            await using var writer = new StreamWriter(stream);
            await writer.WriteLineAsync(generated.AsMemory(), cancellationToken);
        }
        catch (IOException) when (File.Exists(file))
        {
            // Another launcher on the same folder stored one first: use that one.
            return new LocalSecret(await ReadAsync(file, settingName, cancellationToken) ?? generated, LocalSecretSource.Stored);
        }

        return new LocalSecret(generated, LocalSecretSource.Generated);
    }

    /// <summary>
    /// 32 characters from an alphabet without look-alikes (about 187 bits), with upper case, lower case and digits
    /// so that any password policy on character classes accepts it.
    /// </summary>
    public static string Generate()
    {
        while (true)
        {
            var candidate = RandomNumberGenerator.GetString(Alphabet, Length);
            if (candidate.Any(char.IsUpper) && candidate.Any(char.IsLower) && candidate.Any(char.IsDigit))
            {
                return candidate;
            }
        }
    }

    private static async Task<string?> ReadAsync(string file, string settingName, CancellationToken cancellationToken)
    {
        if (!File.Exists(file))
        {
            return null;
        }

        var stored = (await File.ReadAllTextAsync(file, cancellationToken)).Trim();
        if (stored.Length == 0)
        {
            throw new LauncherException($"{file} is empty. Delete it to have a new one generated, or set {settingName}.");
        }

        return stored;
    }
}
