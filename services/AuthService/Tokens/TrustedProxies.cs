using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace MlOps.AuthService.Tokens;

/// <summary>
/// Behind the gateway every caller arrives from the gateway's address, so per-address lockouts and rate limits would
/// count the gateway, and one client could lock out every other. The caller's address is taken from the
/// <c>X-Forwarded-For</c> header the gateway sets (YARP replaces whatever the client sent), and only from a
/// proxy named in <c>TokenService:TrustedProxies</c> (addresses or CIDR networks). Without that setting, ASP.NET
/// Core's default applies: loopback only, which is where the gateway calls from when the platform runs on one machine.
/// </summary>
internal static class TrustedProxies
{
    public const string SettingName = "TokenService:TrustedProxies";

    public static void Configure(ForwardedHeadersOptions forwarded, IConfiguration configuration)
    {
        forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
        forwarded.ForwardLimit = 1;
        var configured = configuration.GetSection(SettingName).Get<string[]>();
        if (configured is not { Length: > 0 })
        {
            return;
        }

        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
        foreach (var entry in configured)
        {
            if (IPAddress.TryParse(entry, out var address))
            {
                forwarded.KnownProxies.Add(address);
            }
            else if (System.Net.IPNetwork.TryParse(entry, out var network))
            {
                forwarded.KnownIPNetworks.Add(network);
            }
            else
            {
                throw new InvalidOperationException(
                    $"{SettingName} holds '{entry}', which is neither an IP address nor a CIDR network such as 10.0.0.0/8.");
            }
        }
    }
}
