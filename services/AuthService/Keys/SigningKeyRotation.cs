using Microsoft.Extensions.Options;
using MlOps.ServiceDefaults.Database;

namespace MlOps.AuthService.Keys;

/// <summary>
/// Checks the signing keys on a schedule (<see cref="SigningKeyOptions.CheckInterval"/>) once the schema exists, so the
/// next key is created and published ahead of its turn even when no token is being issued.
/// </summary>
internal sealed partial class SigningKeyRotation(
    SigningKeyStore store,
    SchemaMigrations migrations,
    IOptionsMonitor<SigningKeyOptions> options,
    TimeProvider time,
    ILogger<SigningKeyRotation> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await migrations.Applied.Task.WaitAsync(stoppingToken);
        }
        catch (Exception)
        {
            return; // stopping, or the migration failed (the migrator reports that)
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await store.CheckAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogCheckFailed(logger, exception);
            }

            try
            {
                await Task.Delay(options.CurrentValue.CheckInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checking the signing keys failed; trying again at the next check")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception);
}
