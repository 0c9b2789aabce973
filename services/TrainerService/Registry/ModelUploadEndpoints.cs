using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using MlOps.Contracts;
using MlOps.Contracts.Registry;
using MlOps.ServiceConventions.Auth;
using MlOps.TrainerService.Persistence;

namespace MlOps.TrainerService.Registry;

/// <summary>
/// <c>POST /api/models/{name}/versions</c> (mlops.train): registers a model made elsewhere, sent as
/// <c>multipart/form-data</c> with the model file in a part named <c>file</c> and its descriptor (JSON) in a part named
/// <c>descriptor</c>: an ONNX model (docs/onnx.md) or an ML.NET model (docs/mlnet.md). Answers 201 with the new version, or 200 with
/// the version the same file and descriptor became before.
/// </summary>
public static class ModelUploadEndpoints
{
    // A misspelt field is named back rather than ignored.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    public static void MapModelUploads(this WebApplication app) =>
        app.MapPost("/api/models/{name}/versions", RegisterAsync)
            .WithTags("Registry")
            .RequireAuthorization(Scopes.Train)
            .DisableAntiforgery()
            .WithName("RegisterModelVersion")
            .WithSummary("Register a model made elsewhere: multipart 'file' (an .onnx, or an ML.NET .zip) and 'descriptor' (JSON), evaluated on the dataset version it names");

    private static async Task<Results<Created<ModelVersionResponse>, Ok<ModelVersionResponse>, ValidationProblem, ProblemHttpResult>> RegisterAsync(
        string name,
        HttpContext context,
        ExternalModelRegistration registration,
        TrainerDbContext db,
        IOptions<ModelUploadOptions> options,
        CancellationToken ct)
    {
        if (!Names.IsValidName(name) || RegistryNames.IsReserved(name))
        {
            return TypedResults.Problem(
                $"'{name}' is not a model name: use {Names.NameRule} (not 'changes', 'by-dataset' or 'import').",
                statusCode: StatusCodes.Status400BadRequest,
                title: "Invalid model name");
        }

        var limits = options.Value;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            // The file, the descriptor, and room for the multipart framing.
            bodySize.MaxRequestBodySize = limits.MaxModelBytes + limits.MaxDescriptorBytes + 64 * 1024;
        }

        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 } boundary)
        {
            return TypedResults.Problem(
                $"Send multipart/form-data with the model file in a part named 'file' and its descriptor (JSON) in a part named 'descriptor'; got '{context.Request.ContentType}'.",
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported content type");
        }

        byte[]? file = null;
        string? descriptorText = null;
        try
        {
            var reader = new MultipartReader(boundary, context.Request.Body);
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                {
                    continue;
                }

                switch (HeaderUtilities.RemoveQuotes(disposition.Name).Value)
                {
                    case "file":
                        file = await ReadAtMostAsync(section.Body, limits.MaxModelBytes, ct);
                        if (file is null)
                        {
                            return TooLarge($"The model file is larger than the limit of {limits.MaxModelBytes} bytes (ModelUploads:MaxModelBytes).");
                        }

                        break;
                    case "descriptor":
                        var bytes = await ReadAtMostAsync(section.Body, limits.MaxDescriptorBytes, ct);
                        if (bytes is null)
                        {
                            return TooLarge($"The descriptor is larger than the limit of {limits.MaxDescriptorBytes} bytes (ModelUploads:MaxDescriptorBytes).");
                        }

                        descriptorText = Encoding.UTF8.GetString(bytes);
                        break;
                }
            }
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge($"The upload is larger than the limit of {limits.MaxModelBytes} bytes for the file (ModelUploads:MaxModelBytes) and {limits.MaxDescriptorBytes} for the descriptor.");
        }
        catch (Exception exception) when (exception is IOException or InvalidDataException && !ct.IsCancellationRequested)
        {
            return TypedResults.Problem($"The multipart body could not be read: {exception.Message}", statusCode: StatusCodes.Status400BadRequest, title: "Malformed upload");
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (file is not { Length: > 0 })
        {
            errors["file"] = ["Send the model file (an .onnx, or an ML.NET .zip) in a multipart part named 'file'."];
        }

        ModelDescriptor? descriptor = null;
        if (descriptorText is null)
        {
            errors["descriptor"] = ["Send the descriptor (JSON: task, target, classes, inputs, outputs, evaluateOn; docs/onnx.md) in a multipart part named 'descriptor'."];
        }
        else
        {
            try
            {
                descriptor = JsonSerializer.Deserialize<ModelDescriptor>(descriptorText, Json);
                if (descriptor is null)
                {
                    errors["descriptor"] = ["The descriptor is a JSON object, not null."];
                }
            }
            catch (JsonException exception)
            {
                errors["descriptor"] = [$"The descriptor is not a descriptor in JSON: {exception.Message}"];
            }
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "Incomplete upload");
        }

        var outcome = await registration.RegisterAsync(name, file!, descriptor!, context.User.CallerName(), null, ct);
        if (outcome.Errors is { } faults)
        {
            return TypedResults.Problem(new HttpValidationProblemDetails(faults)
            {
                Status = outcome.Status,
                Title = outcome.Title,
                Detail = "Nothing was registered: the file, its descriptor and the data it is evaluated on must agree.",
            });
        }

        if (outcome.Version is not { } version)
        {
            return TypedResults.Problem(outcome.Problem, statusCode: outcome.Status, title: outcome.Title);
        }

        var described = (await RegistryEndpoints.DescribeVersionAsync(db, name, version, ct))!;
        return outcome.Created
            ? TypedResults.Created($"/api/models/{Uri.EscapeDataString(name)}/versions/{version.ToString(CultureInfo.InvariantCulture)}", described)
            : TypedResults.Ok(described);
    }

    /// <summary>The part's bytes, or null when it holds more than <paramref name="limit"/>.</summary>
    private static async Task<byte[]?> ReadAtMostAsync(Stream body, long limit, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static ProblemHttpResult TooLarge(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status413PayloadTooLarge, title: "Upload too large");
}
