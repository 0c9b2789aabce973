using System.Threading.RateLimiting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using MlOps.AuthService.Bootstrap;
using MlOps.AuthService.Clients;
using MlOps.AuthService.Discovery;
using MlOps.AuthService.Keys;
using MlOps.AuthService.Persistence;
using MlOps.AuthService.Tokens;
using MlOps.AuthService.Users;
using MlOps.ServiceConventions.Auth;
using MlOps.ServiceConventions.RateLimiting;
using MlOps.ServiceDefaults.Database;
using OpenIddict.Server;

namespace Microsoft.Extensions.Hosting;

internal static class AuthServiceExtensions
{
    /// <summary>
    /// Everything the token service registers: its schema, the signing keys, the OpenIddict server (discovery, the
    /// token endpoint and its grants) with its own rate limit, people through ASP.NET Core Identity, clients as
    /// OpenIddict applications, and the first-start bootstrap.
    /// </summary>
    public static void AddAuthService(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        builder.AddServiceDatabase<AuthDbContext>(AuthDbContext.Schema);
        services.AddOptions<TokenServiceOptions>().BindConfiguration(TokenServiceOptions.SectionName);
        // The server first: its Data Protection registration is one AddSigningKeys then keeps from loading the key ring early.
        builder.AddTokenServer();
        builder.AddSigningKeys();
        services.AddSingleton<TokenEncryptionKey>();
        services.AddSingleton<TokenServerGate>();

        services.AddOptions<LoginThrottleOptions>().BindConfiguration(LoginThrottleOptions.SectionName);
        // People: ASP.NET Core Identity's store and password policy; lockout stays the token service's own (LoginThrottle).
        services.AddIdentityCore<User>(identity =>
            {
                identity.Password.RequiredLength = UserEndpoints.MinPasswordLength;
                identity.Password.RequireDigit = false;
                identity.Password.RequireLowercase = false;
                identity.Password.RequireUppercase = false;
                identity.Password.RequireNonAlphanumeric = false;
                identity.Password.RequiredUniqueChars = 1;
                identity.User.AllowedUserNameCharacters = UserEndpoints.UserNameCharacters;
                identity.Lockout.AllowedForNewUsers = false;
            })
            .AddRoles<IdentityRole<Guid>>()
            .AddEntityFrameworkStores<AuthDbContext>();
        services.AddScoped<ClientApplications>();
        services.AddScoped<LoginThrottle>();
        services.AddScoped<TokenGrants>();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IConfiguration>(TrustedProxies.Configure);

        // The gateway limits token requests too; this guards the service when it is reached directly. A global limiter,
        // because OpenIddict answers a request it refuses (a wrong client secret) before any endpoint is reached.
        var permitsPerMinute = builder.Configuration.GetValue("TokenService:RequestsPerMinutePerAddress", 60);
        services.AddRateLimiter(limiter =>
        {
            limiter.OnRejected = TooManyRequests.RejectAsync;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                context.Request.Path.StartsWithSegments(TokenEndpoint.Path)
                    ? RateLimitPartition.GetFixedWindowLimiter(
                        context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                        _ => new FixedWindowRateLimiterOptions { PermitLimit = permitsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 })
                    : RateLimitPartition.GetNoLimiter(string.Empty));
        });

        services.AddSingleton<BootstrapService>();
        services.AddHostedService(provider => provider.GetRequiredService<BootstrapService>());
        services.AddHealthChecks().AddCheck<BootstrapHealthCheck>("bootstrap");
    }

    /// <summary>
    /// The OpenIddict server: discovery and the JWKS, and <c>/connect/token</c> handed to <see cref="TokenEndpoint"/>
    /// (passthrough) for the password, client-credentials and refresh-token grants. Access tokens are signed JWTs, not
    /// encrypted, so every service validates them from the JWKS; they carry <c>aud</c> = <c>mlops</c>. Refresh tokens
    /// are protected with Data Protection (its key ring is in the database), rotate on every use, and one used twice
    /// revokes every token of its sign-in. Keys come from <see cref="SigningKeyStore"/> and change without a restart.
    /// TLS ends in front of the platform (the gateway, an ingress), so plain HTTP is accepted here.
    /// </summary>
    private static void AddTokenServer(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenIddict()
            .AddCore(core => core.UseEntityFrameworkCore().UseDbContext<AuthDbContext>())
            .AddServer(server =>
            {
                server.SetTokenEndpointUris(TokenEndpoint.Path.Value!.TrimStart('/'));
                server.AllowPasswordFlow().AllowClientCredentialsFlow().AllowRefreshTokenFlow();
                // A person may sign in without naming a client (curl, scripts), as before.
                server.AcceptAnonymousClients();
                // Scopes are narrowed to what roles and clients allow, and unknown ones named, by ScopeRequest.
                server.DisableScopeValidation();
                server.IgnoreScopePermissions();
                server.RegisterScopes([.. Scopes.All, OpenIddict.Abstractions.OpenIddictConstants.Scopes.OfflineAccess]);
                server.DisableAccessTokenEncryption();
                server.SetRefreshTokenReuseLeeway(TimeSpan.Zero);
                server.UseDataProtection().PreferDefaultAccessTokenFormat();
                server.AddEventHandler(TokenResponseScope.Descriptor);
                server.UseAspNetCore().EnableTokenEndpointPassthrough().DisableTransportSecurityRequirement();
            });

        builder.Services.AddOptions<OpenIddictServerOptions>()
            .Configure<IOptions<TokenServiceOptions>, TokenServerGate>((server, tokens, gate) =>
            {
                server.Issuer = new Uri(IssuerResolver.Resolve(tokens.Value) + "/");
                server.AccessTokenLifetime = tokens.Value.AccessTokenLifetime;
                server.RefreshTokenLifetime = tokens.Value.RefreshTokenLifetime;
                gate.Configure(server);
            });
    }

    public static void MapAuthService(this WebApplication app)
    {
        app.MapTokenEndpoint();
        app.MapUsers();
        app.MapClients();
    }
}
