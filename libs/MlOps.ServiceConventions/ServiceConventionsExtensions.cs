using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MlOps.ServiceConventions.Auth;
using MlOps.ServiceConventions.Errors;
using MlOps.ServiceConventions.Logging;
using MlOps.ServiceConventions.RequestIds;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every MlOps service does the same way on top of the Aspire service defaults, and what no Aspire template
/// does: errors as RFC 9457 ProblemDetails carrying the request and trace ids, request ids and one access line per
/// request, bearer tokens from the platform's token service with a policy per scope, and (through
/// <c>AddServiceToken</c>) tokens for calls to other services. Paging and the 429 answer are here for endpoints to use.
/// </summary>
public static class ServiceConventionsExtensions
{
    public static TBuilder AddServiceConventions<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.ConfigureRequestLogging();
        builder.AddDefaultProblemDetails();
        builder.AddTokenValidation();
        return builder;
    }

    /// <summary>
    /// The shared middleware, in order: request ids (outermost, so the access line records the status the error
    /// handler answered, a 500 included, and the handler's own log lines carry the id), errors, routing,
    /// authentication, authorization.
    /// </summary>
    public static WebApplication UseServiceConventions(this WebApplication app)
    {
        app.UseRequestIds();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }
}
