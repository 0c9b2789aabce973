using System.Security.Cryptography;
using MlOps.AppHost.Hosting;

namespace MlOps.AppHost.Secrets;

/// <summary>
/// A secret the platform needs and no default may ship for (the first admin's password, the platform client's
/// secret), as an Aspire parameter: <c>Parameters:&lt;name&gt;</c> when configured, else the one kept in the data
/// folder, else one generated on this start and kept there, readable by its owner only.
/// </summary>
internal sealed record PlatformSecret(IResourceBuilder<ParameterResource> Parameter, string Value, bool GeneratedNow)
{
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    private const int Length = 32;

    public static PlatformSecret Add(IDistributedApplicationBuilder builder, string name, PlatformOptions platform)
    {
        var key = $"Parameters:{name}";
        if (builder.ExecutionContext.IsPublishMode)
        {
            // A deployment supplies its own; nothing is generated into the manifest.
            return new PlatformSecret(builder.AddParameter(name, secret: true), string.Empty, GeneratedNow: false);
        }

        var generatedNow = false;
        if (builder.Configuration[key] is not { Length: > 0 } value)
        {
            var file = Path.Combine(platform.Home, name);
            value = Read(file) ?? Store(file, Generate(), out generatedNow);
            builder.Configuration[key] = value;
        }

        return new PlatformSecret(builder.AddParameter(name, secret: true), value, generatedNow);
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

    private static string? Read(string file)
    {
        if (!File.Exists(file))
        {
            return null;
        }

        var stored = File.ReadAllText(file).Trim();
        return stored.Length > 0
            ? stored
            : throw new PlatformStartException($"{file} is empty: delete it to have a new secret generated, or set Parameters__{Path.GetFileName(file)}.");
    }

    private static string Store(string file, string value, out bool stored)
    {
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var stream = new FileStream(file, options);
            using var writer = new StreamWriter(stream);
            writer.WriteLine(value);
            stored = true;
            return value;
        }
        catch (IOException) when (File.Exists(file))
        {
            // Another AppHost on the same folder stored one first: use that one.
            stored = false;
            return Read(file) ?? value;
        }
    }
}
