using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MlOps.AuthService.Clients;
using MlOps.AuthService.Keys;
using MlOps.AuthService.Users;
using MlOps.ServiceConventions.Auth;
using MlOps.ServiceDefaults.Database;

namespace MlOps.AuthService.Bootstrap;

/// <summary>
/// Once the schema is migrated: reads the token server's keys, creates the <c>admin</c> user with <c>MLOPS_ADMIN_PASSWORD</c> if no admin exists yet,
/// makes the platform's own client match its configured id and secret (created, or its secret updated), and creates the
/// public client the command-line tool signs in with (device flow) if it is missing. Nothing
/// secret is ever logged. The service reports ready only after this has run.
/// </summary>
internal sealed partial class BootstrapService(
    IServiceScopeFactory scopes,
    SchemaMigrations migrations,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<BootstrapService> logger) : BackgroundService
{
    public static readonly string[] PlatformClientScopes = [Scopes.Read, Scopes.Train, Scopes.Predict];

    /// <summary>The command-line tool's client: public (no secret), for the device flow; a person's roles narrow its scopes.</summary>
    public const string CliClientId = "mlops-cli";

    public TaskCompletionSource Completed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await migrations.Applied.Task.WaitAsync(stoppingToken);
            await using var scope = scopes.CreateAsyncScope();
            // The token server's keys first: until they are read, its endpoints answer 503 (Keys/TokenServerGate.cs).
            await scope.ServiceProvider.GetRequiredService<TokenEncryptionKey>().LoadAsync(stoppingToken);
            await scope.ServiceProvider.GetRequiredService<ISigningKeys>().GetSigningCredentialsAsync(stoppingToken);
            var options = BootstrapOptions.From(configuration);
            await EnsureAdminAsync(scope.ServiceProvider.GetRequiredService<UserManager<User>>(), options);
            var clients = scope.ServiceProvider.GetRequiredService<ClientApplications>();
            await EnsurePlatformClientAsync(clients, options, stoppingToken);
            if (await clients.EnsurePublicAsync(CliClientId, "MlOps command line", [.. Scopes.All], stoppingToken))
            {
                LogCliClient(logger, CliClientId);
            }
            Completed.TrySetResult();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogFailed(logger, exception);
            Completed.TrySetException(exception);
        }
    }

    private async Task EnsureAdminAsync(UserManager<User> users, BootstrapOptions options)
    {
        if ((await users.GetUsersInRoleAsync(Roles.Admin)).Count > 0)
        {
            return;
        }

        if (string.IsNullOrEmpty(options.AdminPassword))
        {
            LogNoAdminPassword(logger);
            return;
        }

        var now = time.GetUtcNow();
        var admin = new User { Id = Guid.CreateVersion7(), UserName = BootstrapOptions.AdminUserName, CreatedAt = now, UpdatedAt = now };
        var created = await users.CreateAsync(admin, options.AdminPassword);
        if (created.Succeeded)
        {
            created = await users.AddToRoleAsync(admin, Roles.Admin);
        }

        if (!created.Succeeded)
        {
            throw new InvalidOperationException(
                "The admin user cannot be created from MLOPS_ADMIN_PASSWORD: " + string.Join(" ", created.Errors.Select(error => error.Description)));
        }

        LogAdminCreated(logger, BootstrapOptions.AdminUserName);
    }

    private async Task EnsurePlatformClientAsync(ClientApplications clients, BootstrapOptions options, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(options.PlatformClientId) || string.IsNullOrEmpty(options.PlatformClientSecret))
        {
            return;
        }

        if (await clients.EnsureAsync(options.PlatformClientId, "MlOps platform services", PlatformClientScopes, options.PlatformClientSecret, cancellationToken))
        {
            LogPlatformClient(logger, options.PlatformClientId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the '{UserName}' user from MLOPS_ADMIN_PASSWORD")]
    private static partial void LogAdminCreated(ILogger logger, string userName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No admin user exists and MLOPS_ADMIN_PASSWORD is not set: nobody can administer the platform until it is")]
    private static partial void LogNoAdminPassword(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "The platform client '{ClientId}' now has the configured secret")]
    private static partial void LogPlatformClient(ILogger logger, string clientId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the public client '{ClientId}' for the command line's device sign-in")]
    private static partial void LogCliClient(ILogger logger, string clientId);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Bootstrapping the admin user and the platform client failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

/// <summary>Ready only once the admin user and the platform client exist as configured.</summary>
internal sealed class BootstrapHealthCheck(BootstrapService bootstrap) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(bootstrap.Completed.Task.Status switch
        {
            TaskStatus.RanToCompletion => HealthCheckResult.Healthy("admin user and platform client are in place"),
            TaskStatus.Faulted => HealthCheckResult.Unhealthy("bootstrapping failed: " + bootstrap.Completed.Task.Exception!.InnerException!.Message),
            _ => HealthCheckResult.Unhealthy("bootstrapping has not finished"),
        });
}
