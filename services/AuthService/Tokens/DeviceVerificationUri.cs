using Microsoft.Extensions.Options;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace MlOps.AuthService.Tokens;

/// <summary>
/// The device authorization answer (RFC 8628 §3.2) sends the person to the verification page at the platform's public
/// address (<see cref="TokenServiceOptions.PublicOrigin"/>, the gateway) rather than at the issuer, the token service's
/// own address, which a person's browser may not reach.
/// </summary>
internal sealed class DeviceVerificationUri(IOptions<TokenServiceOptions> options) : IOpenIddictServerHandler<ApplyDeviceAuthorizationResponseContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyDeviceAuthorizationResponseContext>()
            .UseSingletonHandler<DeviceVerificationUri>()
            .SetOrder(int.MinValue + 100_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ApplyDeviceAuthorizationResponseContext context)
    {
        if (!string.IsNullOrWhiteSpace(options.Value.PublicOrigin) && string.IsNullOrEmpty(context.Response.Error))
        {
            var origin = new Uri(options.Value.PublicOrigin.Trim().TrimEnd('/') + "/");
            context.Response.VerificationUri = Rebase(context.Response.VerificationUri, origin);
            context.Response.VerificationUriComplete = Rebase(context.Response.VerificationUriComplete, origin);
        }

        return ValueTask.CompletedTask;
    }

    private static string? Rebase(string? uri, Uri origin) =>
        Uri.TryCreate(uri, UriKind.Absolute, out var absolute) ? new Uri(origin, absolute.PathAndQuery.TrimStart('/')).AbsoluteUri : uri;
}
