using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MlOps.ServiceConventions.Auth;

public static class ServiceTokenExtensions
{
    /// <summary>
    /// Calls made with this client carry this service's client-credentials token (section <c>Auth:Client</c>):
    /// <c>builder.Services.AddHttpClient&lt;RegistryClient&gt;().ConfigureHttpClient(c => c.BaseAddress = new("http://trainer")).AddServiceToken()</c>.
    /// </summary>
    public static IHttpClientBuilder AddServiceToken(this IHttpClientBuilder http)
    {
        http.Services.AddServiceTokens();
        return http.AddHttpMessageHandler(services => new ServiceTokenHandler(services.GetRequiredService<ServiceTokenProvider>()));
    }

    /// <summary>Registers <see cref="ServiceTokenProvider"/>, its options and its HttpClient; called by <see cref="AddServiceToken"/>.</summary>
    public static IServiceCollection AddServiceTokens(this IServiceCollection services)
    {
        if (services.Any(descriptor => descriptor.ServiceType == typeof(ServiceTokenProvider)))
        {
            return services;
        }

        services.AddOptions<ClientCredentialsOptions>().BindConfiguration(ClientCredentialsOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ServiceTokenProvider>();
        services.AddHttpClient(ServiceTokenProvider.HttpClientName);
        return services;
    }
}
