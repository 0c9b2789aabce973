using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace MlOps.ServiceConventions.Auth;

public static class TokenValidationExtensions
{
    /// <summary>
    /// JWT bearer validation against the token service's discovery document: keys are cached and fetched again when
    /// a token names an unknown <c>kid</c> (rotation). Only RS256 and ES256 are accepted, which rules out
    /// <c>alg: none</c> and HMAC confusion. Every endpoint needs an authenticated caller unless it opts out
    /// (health, metrics, discovery, the token endpoint).
    /// </summary>
    public static void AddTokenValidation(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName);
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddSingleton<CachingTokenHandler>();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>, IConfiguration, CachingTokenHandler>((jwt, auth, configuration, handler) =>
            {
                Configure(jwt, auth.Value, configuration);
                jwt.TokenHandlers.Clear();
                jwt.TokenHandlers.Add(handler);
            });

        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddScopePolicies();
    }

    private static void Configure(JwtBearerOptions jwt, AuthOptions auth, IConfiguration configuration)
    {
        var authority = auth.Authority;
        if (!string.IsNullOrWhiteSpace(authority))
        {
            jwt.Authority = authority.TrimEnd('/');
            jwt.RequireHttpsMetadata = auth.RequireHttpsMetadata
                ?? !(Uri.TryCreate(authority, UriKind.Absolute, out var uri) && uri.IsLoopback);
        }

        jwt.Audience = auth.Audience;
        jwt.Events = new JwtBearerEvents { OnChallenge = context => TokenChallenge.DescribeAsync(context, auth.Audience) };
        jwt.MapInboundClaims = false;
        jwt.RefreshOnIssuerKeyNotFound = true;
        jwt.TokenValidationParameters = new TokenValidationParameters
        {
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidAudience = auth.Audience,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256],
            ClockSkew = auth.ClockSkew,
            NameClaimType = "name",
            RoleClaimType = "role",
        };
    }

    private static AuthorizationBuilder AddScopePolicies(this AuthorizationBuilder authorization)
    {
        foreach (var scope in Scopes.All)
        {
            authorization.AddPolicy(scope, policy => policy
                .RequireAuthenticatedUser()
                .RequireAssertion(context => context.User.HasScope(scope)));
        }

        return authorization;
    }
}
