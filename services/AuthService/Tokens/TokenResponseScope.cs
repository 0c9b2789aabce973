using Microsoft.AspNetCore;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace MlOps.AuthService.Tokens;

/// <summary>
/// Every token response names the scopes granted (RFC 6749 §5.1), as before: OpenIddict leaves <c>scope</c> out when
/// it equals the request's and would list <c>offline_access</c>, which the platform adds itself to get a refresh token.
/// The grant handler leaves the granted scopes on the request (<see cref="GrantedScopeItem"/>).
/// </summary>
internal sealed class TokenResponseScope : IOpenIddictServerHandler<ApplyTokenResponseContext>
{
    public const string GrantedScopeItem = "MlOps.GrantedScope";

    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyTokenResponseContext>()
            .UseSingletonHandler<TokenResponseScope>()
            // Before the ASP.NET Core integration writes the response.
            .SetOrder(int.MinValue + 100_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ApplyTokenResponseContext context)
    {
        if (context.Transaction.GetHttpRequest()?.HttpContext.Items[GrantedScopeItem] is string scope
            && string.IsNullOrEmpty(context.Response.Error))
        {
            context.Response.Scope = scope;
        }

        return ValueTask.CompletedTask;
    }
}
