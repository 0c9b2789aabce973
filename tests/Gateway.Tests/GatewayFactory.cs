using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace MlOps.Gateway.Tests;

/// <summary>The gateway in process, its destinations pointing at real backends and its settings set per test.</summary>
internal static class GatewayFactory
{
    public static WebApplicationFactory<Program> Create(
        IReadOnlyDictionary<string, string> backends, IDictionary<string, string>? settings = null)
    {
        return new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Production");
            web.UseSetting("Auth:Authority", "http://127.0.0.1:9");
            foreach (var (service, address) in backends)
            {
                web.UseSetting($"services:{service}:http:0", address);
            }

            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                web.UseSetting(key, value);
            }
        });
    }
}
