using Microsoft.IdentityModel.Tokens;

namespace MlOps.AuthService.Keys;

/// <summary>How signing keys are made and kept (section <c>SigningKeys</c>); their schedule is in TokenServiceOptions.</summary>
public sealed class SigningKeyOptions
{
    public const string SectionName = "SigningKeys";

    /// <summary>The algorithm of new keys: ES256 (P-256, the default) or RS256. Existing keys keep theirs.</summary>
    public string Algorithm { get; set; } = SecurityAlgorithms.EcdsaSha256;

    /// <summary>Modulus size of new RS256 keys.</summary>
    public int RsaKeySize { get; set; } = 2048;

    /// <summary>How often the background rotation checks whether the next key is due.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long the key set read from the database is reused before it is read again.</summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Added to the access-token lifetime to decide how long a retired key stays published.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(1);
}
