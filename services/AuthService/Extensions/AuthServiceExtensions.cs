using System.Threading.RateLimiting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using MlOps.AuthService.Bootstrap;
using MlOps.AuthService.Clients;
using MlOps.AuthService.Discovery;
using MlOps.AuthService.Keys;
using MlOps.AuthService.Persistence;
using MlOps.AuthService.SignIn;
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
        // The server and the sign-in pages first: their Data Protection registrations are ones AddSigningKeys then keeps
        // from loading the key ring early.
        builder.AddTokenServer();
        SignInSession.Add(services, builder.Configuration.GetValue(
            $"{TokenServiceOptions.SectionName}:{nameof(TokenServiceOptions.SignInSessionLifetime)}", new TokenServiceOptions().SignInSessionLifetime));

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
        services.AddScoped<PasswordCheck>();
        services.AddScoped<TokenGrants>();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IConfiguration>(TrustedProxies.Configure);

        // The gateway limits token requests too; this guards the service when it is reached directly. A global limiter,
        // because OpenIddict answers a request it refuses (a wrong client secret) before any endpoint is reached. Every
        // request that can try a password or a code counts: tokens, the sign-in form, device codes and their verification.
        var permitsPerMinute = builder.Configuration.GetValue("TokenService:RequestsPerMinutePerAddress", 60);
        services.AddRateLimiter(limiter =>
        {
            limiter.OnRejected = TooManyRequests.RejectAsync;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                IsLimited(context.Request)
                    ? RateLimitPartition.GetFixedWindowLimiter(
                        context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                        _ => new FixedWindowRateLimiterOptions { PermitLimit = permitsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 })
                    : RateLimitPartition.GetNoLimiter(string.Empty));
        });

        services.AddSingleton<BootstrapService>();
        services.AddHostedService(provider => provider.GetRequiredService<BootstrapService>());
        services.AddHealthChecks().AddCheck<BootstrapHealthCheck>("bootstrap");
    }

    private static readonly PathString[] LimitedPaths = [TokenEndpoint.Path, SignInEndpoints.Path, DevicePath, VerifyEndpoint.Path];

    private const string DevicePath = "/connect/device";

    private static bool IsLimited(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) && Array.Exists(LimitedPaths, path => request.Path.StartsWithSegments(path));

    /// <summary>
    /// The OpenIddict server: discovery and the JWKS; <c>/connect/token</c> handed to <see cref="TokenEndpoint"/>
    /// (passthrough) for the password, client-credentials, refresh-token, authorization-code and device-code grants;
    /// <c>/connect/authorize</c> (code flow, PKCE with S256 required) and <c>/connect/verify</c> (device flow) handed to
    /// the sign-in pages; <c>/connect/device</c>, <c>/connect/revoke</c> and <c>/connect/introspect</c> served by
    /// OpenIddict itself. Access tokens are signed JWTs, not encrypted, so every service validates them from the JWKS;
    /// they carry <c>aud</c> = <c>mlops</c>. Refresh tokens are protected with Data Protection (its key ring is in the
    /// database), rotate on every use, and one used twice revokes every token of its sign-in. Keys come from
    /// <see cref="SigningKeyStore"/> and change without a restart. TLS ends in front of the platform (the gateway, an
    /// ingress), so plain HTTP is accepted here.
    /// </summary>
    private static void AddTokenServer(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenIddict()
            .AddCore(core => core.UseEntityFrameworkCore().UseDbContext<AuthDbContext>())
            .AddServer(server =>
            {
                server.SetTokenEndpointUris(TokenEndpoint.Path.Value!.TrimStart('/'))
                    .SetAuthorizationEndpointUris(AuthorizeEndpoint.Path.TrimStart('/'))
                    .SetDeviceAuthorizationEndpointUris(DevicePath.TrimStart('/'))
                    .SetEndUserVerificationEndpointUris(VerifyEndpoint.Path.TrimStart('/'))
                    .SetRevocationEndpointUris("connect/revoke")
                    .SetIntrospectionEndpointUris("connect/introspect");
                server.AllowPasswordFlow().AllowClientCredentialsFlow().AllowRefreshTokenFlow()
                    .AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange()
                    .AllowDeviceAuthorizationFlow();
                // S256 only: a "plain" challenge is the verifier itself, which protects nothing once the request is seen.
                server.Configure(options => options.CodeChallengeMethods.Remove(OpenIddict.Abstractions.OpenIddictConstants.CodeChallengeMethods.Plain));
                // A person may sign in without naming a client (curl, scripts), as before.
                server.AcceptAnonymousClients();
                // Scopes are narrowed to what roles and clients allow, and unknown ones named, by ScopeRequest.
                server.DisableScopeValidation();
                server.IgnoreScopePermissions();
                server.RegisterScopes([.. Scopes.All, .. ScopeRequest.IdentityScopes, OpenIddict.Abstractions.OpenIddictConstants.Scopes.OfflineAccess]);
                server.DisableAccessTokenEncryption();
                server.SetRefreshTokenReuseLeeway(TimeSpan.Zero);
                server.UseDataProtection().PreferDefaultAccessTokenFormat();
                server.AddEventHandler(TokenResponseScope.Descriptor);
                server.AddEventHandler(DeviceVerificationUri.Descriptor);
                server.AddEventHandler(RequireNamedClient<OpenIddictServerEvents.ValidateDeviceAuthorizationRequestContext>.Descriptor);
                server.AddEventHandler(RequireNamedClient<OpenIddictServerEvents.ValidateIntrospectionRequestContext>.Descriptor);
                server.AddEventHandler(RequireNamedClient<OpenIddictServerEvents.ValidateRevocationRequestContext>.Descriptor);
                server.UseAspNetCore()
                    .EnableTokenEndpointPassthrough()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableEndUserVerificationEndpointPassthrough()
                    .DisableTransportSecurityRequirement();
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
        app.MapAuthorize();
        app.MapVerify();
        app.MapSignIn();
        app.MapUsers();
        app.MapClients();
    }
}
