using MlOps.AuthService.Persistence;
using MlOps.ServiceDefaults.Database;

namespace Microsoft.Extensions.Hosting;

internal static class AuthServiceExtensions
{
    /// <summary>Everything the auth service registers: its schema in the platform database, then its features.</summary>
    public static void AddAuthService(this IHostApplicationBuilder builder) =>
        builder.AddServiceDatabase<AuthDbContext>(AuthDbContext.Schema);
}
