using System.Threading.RateLimiting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Identity;
using MlOps.AuthService.Bootstrap;
using MlOps.AuthService.Clients;
using MlOps.AuthService.Persistence;
using MlOps.AuthService.Tokens;
using MlOps.AuthService.Users;
using MlOps.ServiceDefaults.Database;
using MlOps.ServiceConventions.RateLimiting;

namespace Microsoft.Extensions.Hosting;

internal static class AuthServiceExtensions
{
    /// <summary>
    /// Everything the token service registers: its schema, the signing keys and discovery, the token endpoint with
    /// its grants and its own rate limit, users and clients, and the first-start bootstrap.
    /// </summary>
    public static void AddAuthService(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        builder.AddServiceDatabase<AuthDbContext>(AuthDbContext.Schema);
        services.AddOptions<TokenServiceOptions>().BindConfiguration(TokenServiceOptions.SectionName);
        builder.AddSigningKeys();

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
        services.AddSingleton<IPasswordHasher<Client>, PasswordHasher<Client>>();
        services.AddSingleton<IssuerName>();
        services.AddSingleton<AccessTokenFactory>();
        services.AddScoped<ClientAuthentication>();
        services.AddScoped<LoginThrottle>();
        services.AddScoped<TokenGrants>();

        services.AddOptions<ForwardedHeadersOptions>().Configure<IConfiguration>(TrustedProxies.Configure);

        // The gateway limits token requests too; this guards the service when it is reached directly.
        var permitsPerMinute = builder.Configuration.GetValue("TokenService:RequestsPerMinutePerAddress", 60);
        services.AddRateLimiter(limiter =>
        {
            limiter.OnRejected = TooManyRequests.RejectAsync;
            limiter.AddPolicy(TokenEndpoint.RateLimitPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = permitsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        });

        services.AddSingleton<BootstrapService>();
        services.AddHostedService(provider => provider.GetRequiredService<BootstrapService>());
        services.AddHealthChecks().AddCheck<BootstrapHealthCheck>("bootstrap");
    }

    public static void MapAuthService(this WebApplication app)
    {
        app.UseRateLimiter();
        app.MapDiscovery();
        app.MapTokenEndpoint();
        app.MapUsers();
        app.MapClients();
    }
}
