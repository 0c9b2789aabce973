using Microsoft.Extensions.Options;
using MlOps.AuthService.Discovery;

namespace MlOps.AuthService.Tokens;

/// <summary>The issuer every token names, resolved once (see <see cref="IssuerResolver"/>).</summary>
public sealed class IssuerName(IOptions<TokenServiceOptions> options)
{
    public string Value { get; } = IssuerResolver.Resolve(options.Value);
}
