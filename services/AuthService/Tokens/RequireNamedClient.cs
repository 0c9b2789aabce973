using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace MlOps.AuthService.Tokens;

/// <summary>
/// Device codes, introspection and revocation are for registered clients only: a request that names no client is
/// <c>invalid_request</c>. The server accepts anonymous clients elsewhere (a person's password sign-in with curl), so
/// without this a device code could be made for nobody, and anyone could probe tokens at the introspection endpoint.
/// OpenIddict then authenticates the client named (its secret, when it is confidential).
/// </summary>
internal sealed class RequireNamedClient<TContext> : IOpenIddictServerHandler<TContext> where TContext : BaseValidatingClientContext
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<TContext>()
            .UseSingletonHandler<RequireNamedClient<TContext>>()
            .SetOrder(int.MinValue + 100_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(TContext context)
    {
        if (string.IsNullOrEmpty(context.ClientId))
        {
            context.Reject(Errors.InvalidRequest, "The 'client_id' parameter is required here: only registered clients may use this endpoint.");
        }

        return ValueTask.CompletedTask;
    }
}
