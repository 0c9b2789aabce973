using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace MlOps.ServiceDefaults.OpenApi;

/// <summary>
/// Names the document after the service, so documents read side by side say whose they are, and lists no server:
/// paths are then relative to wherever the document was fetched, the gateway for every caller outside the platform.
/// </summary>
internal sealed class DocumentInfoTransformer(string service) : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = $"MlOps {service} API";
        document.Info.Description =
            $"The {service} service of the MlOps platform. Call it through the gateway with a bearer token from POST /connect/token.";
        document.Servers = [];
        return Task.CompletedTask;
    }
}
