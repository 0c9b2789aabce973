using System.Net.Http.Headers;
using Microsoft.IdentityModel.Tokens;

namespace MlOps.TestSupport;

/// <summary>What the services of a test platform share: the database, the issuer, the platform's own client.</summary>
public static class PlatformSettings
{
    public const string ServicesClientId = "mlops-services";
    public const string ServicesSecret = "test-services-secret";

    /// <summary>The shared settings, then <paramref name="specific"/> over them.</summary>
    public static Dictionary<string, string> For(string connectionString, TestIssuer issuer, IReadOnlyDictionary<string, string> specific)
    {
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings:mlopsdb"] = connectionString,
            ["Auth:Authority"] = issuer.Issuer,
            ["Auth:Client:ClientId"] = ServicesClientId,
            ["Auth:Client:ClientSecret"] = ServicesSecret,
            ["Auth:Client:Scope"] = "mlops.read",
            ["Artifacts:Store"] = "FileSystem",
        };
        foreach (var (key, value) in specific)
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>A client of a service at <paramref name="address"/> with a token for <paramref name="scope"/>.</summary>
    public static HttpClient ClientOf(this TestIssuer issuer, SecurityKey key, Uri address, string scope)
    {
        var client = new HttpClient { BaseAddress = address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", issuer.CreateToken(key, scope));
        return client;
    }
}
