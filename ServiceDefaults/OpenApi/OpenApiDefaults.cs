using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MlOps.ServiceDefaults.OpenApi;

/// <summary>
/// Every service publishes its OpenAPI document at <c>/openapi/v1.json</c>, without a token; the gateway serves each
/// one as <c>/openapi/{service}.json</c> and a browsable reference at <c>/scalar</c>.
/// </summary>
public static class OpenApiDefaults
{
    public const string DocumentName = "v1";
    public const string RoutePattern = "/openapi/{documentName}.json";

    public static void AddDefaultOpenApi(this IHostApplicationBuilder builder)
    {
        var title = builder.Configuration["OTEL_SERVICE_NAME"] ?? builder.Environment.ApplicationName;
        builder.Services.AddOpenApi(DocumentName, options =>
        {
            options.AddDocumentTransformer(new DocumentInfoTransformer(title));
            options.AddDocumentTransformer<BearerSecurityTransformer>();
            options.AddOperationTransformer<BearerSecurityTransformer>();
        });
    }

    /// <summary>Where the document named <paramref name="documentName"/> is served (<c>/openapi/v1.json</c>).</summary>
    public static string DocumentPath(string documentName) =>
        RoutePattern.Replace("{documentName}", documentName, StringComparison.Ordinal);

    public static IEndpointConventionBuilder MapDefaultOpenApi(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapOpenApi(RoutePattern).AllowAnonymous();
}
