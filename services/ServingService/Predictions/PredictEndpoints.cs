using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using MlOps.Contracts.Serving;
using MlOps.Images;
using MlOps.Images.Embedding;
using MlOps.ServiceConventions.Auth;
using MlOps.ServiceConventions.RequestIds;
using MlOps.ServingService.InferenceLog;
using MlOps.ServingService.Models;
using MlOps.Contracts;
using MlOps.Learning.Features;
using MlOps.Learning.Models;

namespace MlOps.ServingService.Predictions;

public static class PredictEndpoints
{
    public const string RateLimitPolicy = "predict";

    /// <summary><c>POST /api/predict/{model}?alias=|version=</c> (scope mlops.predict).</summary>
    public static void MapPredictions(this WebApplication app) =>
        app.MapPost("/api/predict/{model}", PredictAsync)
            .WithTags("Predictions")
            .RequireAuthorization(Scopes.Predict)
            .RequireRateLimiting(RateLimitPolicy)
            .WithName("Predict")
            .WithSummary("Score one instance (a flat JSON object, or multipart/form-data with a file part per image input) or {\"instances\": [ … ]} with the version behind ?alias= (default production) or ?version=")
            .Produces<PredictionResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    private static async Task<IResult> PredictAsync(
        string model,
        string? alias,
        int? version,
        HttpContext context,
        ModelCatalog catalog,
        InferenceLogBuffer log,
        InferenceLogMetrics logMetrics,
        PredictionMetrics metrics,
        PredictionIds ids,
        ImageEmbedder images,
        IOptions<ServingOptions> options,
        IOptions<ImageEncoderOptions> imageOptions,
        TimeProvider time,
        CancellationToken ct)
    {
        var started = time.GetTimestamp();
        var settings = options.Value;
        if (SelectorProblem(alias, version) is { } selectorProblem)
        {
            return selectorProblem;
        }

        if (context.Request.ContentLength > settings.MaxRequestBytes)
        {
            return TooLarge(settings.MaxRequestBytes);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = settings.MaxRequestBytes;
        }

        if (!context.Request.HasJsonContentType() && !context.Request.HasFormContentType)
        {
            return TypedResults.Problem(
                $"Send the instances as application/json, or one instance as multipart/form-data (a file part for each image input); got '{context.Request.ContentType}'.",
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported content type");
        }

        LoadedModel served;
        try
        {
            served = version is { } pinned
                ? await catalog.AcquireByVersionAsync(model, pinned, ct)
                : await catalog.AcquireByAliasAsync(model, alias ?? settings.DefaultAlias, ct);
        }
        catch (ModelLoadException exception)
        {
            // Not counted under the model's name: any caller can make up names, and each would be a new series.
            return TypedResults.Problem(exception.Message, statusCode: exception.Status, title: exception.Title);
        }

        try
        {
            var reading = new RequestReading(images, imageOptions.Value.Limits, settings);
            return await ScoreAsync(served, context, reading, log, logMetrics, metrics, ids, time, started, ct);
        }
        finally
        {
            served.Release();
        }
    }

    /// <summary>What reading a request needs beside the model: the encoder for its pictures and the limits.</summary>
    private sealed record RequestReading(ImageEmbedder Images, ImageLimits Limits, ServingOptions Settings);

    /// <summary>
    /// Reads the instances (JSON, or one multipart instance), encodes their pictures, scores them in one call to the
    /// model, logs them and answers; under the caller's lease on <paramref name="served"/>.
    /// </summary>
    private static async Task<IResult> ScoreAsync(
        LoadedModel served,
        HttpContext context,
        RequestReading reading,
        InferenceLogBuffer log,
        InferenceLogMetrics logMetrics,
        PredictionMetrics metrics,
        PredictionIds ids,
        TimeProvider time,
        long started,
        CancellationToken ct)
    {
        var model = served.Name;
        var settings = reading.Settings;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        JsonDocument? document = null;
        Instance[] instances;
        try
        {
            if (context.Request.HasFormContentType)
            {
                instances = await MultipartInstance.ReadAsync(context.Request, served, reading.Limits, errors, ct);
            }
            else
            {
                document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: ct);
                instances = InstanceReader.Read(document.RootElement, served, settings.MaxBatchInstances, reading.Limits, errors);
            }
        }
        catch (JsonException exception)
        {
            metrics.Outcome(model, served.Version, "invalid", 1);
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [$"The body is not valid JSON: {exception.Message}"] });
        }
        catch (InvalidDataException exception)
        {
            metrics.Outcome(model, served.Version, "invalid", 1);
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [$"The body is not a valid form: {exception.Message}"] });
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(settings.MaxRequestBytes);
        }

        using (document)
        {
            if (errors.Count == 0)
            {
                var encodingStarted = time.GetTimestamp();
                if (PictureEncoding.Encode(instances, reading.Images, errors, ct) > 0)
                {
                    metrics.Encoded(model, time.GetElapsedTime(encodingStarted));
                }
            }

            if (errors.Count > 0)
            {
                metrics.Outcome(model, served.Version, "invalid", Math.Max(1, instances.Length));
                return TypedResults.ValidationProblem(errors, detail: $"The instances do not fit {served.Name} version {served.Version}'s inputs.");
            }

            var results = new PredictionResult[instances.Length];
            var outputs = new string[instances.Length];
            var now = time.GetUtcNow();
            var classes = served.Scorer.Classes;
            var rows = new FeatureValue[instances.Length][];
            for (var i = 0; i < rows.Length; i++)
            {
                rows[i] = instances[i].Row;
            }

            // The whole batch in one call: an ONNX model scores it in one run of its graph.
            var scoringStarted = time.GetTimestamp();
            Prediction[] predictions;
            try
            {
                predictions = served.Scorer.Score(rows);
            }
            catch (ArgumentException exception)
            {
                // A value the graph's input cannot take (a fraction for an integer input): the caller's to fix.
                metrics.Outcome(model, served.Version, "invalid", instances.Length);
                return TypedResults.ValidationProblem(
                    new Dictionary<string, string[]> { ["instances"] = [exception.Message] }, detail: $"The instances do not fit {served.Name} version {served.Version}'s inputs.");
            }

            var scoring = time.GetElapsedTime(scoringStarted);
            for (var i = 0; i < instances.Length; i++)
            {
                var prediction = predictions[i];
                var id = ids.Next();
                Dictionary<string, double>? probabilities = null;
                if (prediction.Probabilities is { } p)
                {
                    probabilities = new Dictionary<string, double>(p.Length, StringComparer.Ordinal);
                    for (var c = 0; c < p.Length; c++)
                    {
                        probabilities[classes[c]] = p[c];
                    }
                }

                results[i] = new PredictionResult(id, prediction.Label, probabilities, prediction.Value);
                outputs[i] = JsonSerializer.Serialize(new PredictionOutput(prediction.Label, probabilities, prediction.Value), ServingJson.Default.PredictionOutput);
            }

            metrics.Scored(served.Name, scoring);
            var latency = time.GetElapsedTime(started).TotalMilliseconds;
            var caller = context.User.CallerName();
            var requestId = context.GetRequestId();
            var records = new InferenceRecord[instances.Length];
            for (var i = 0; i < records.Length; i++)
            {
                records[i] = new InferenceRecord(results[i].Id, served.Name, served.Version, now, instances[i].Logged(), outputs[i], latency, requestId, caller);
            }

            if (!log.TryEnqueue(records))
            {
                metrics.Outcome(served.Name, served.Version, "refused", records.Length);
                logMetrics.Count("refused", records.Length);
                context.Response.Headers.RetryAfter = "1";
                return TypedResults.Problem(
                    "The inference log cannot take more records now (its database is unavailable and its spill is full); the prediction was not made. Retry shortly.",
                    statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "Inference log full");
            }

            metrics.Outcome(served.Name, served.Version, "ok", results.Length);
            foreach (var result in results)
            {
                if (result.Label is not null)
                {
                    metrics.Label(served.Name, served.Version, result.Label);
                }
                else if (result.Value is { } value)
                {
                    metrics.Value(served.Name, served.Version, value);
                }
            }

            return TypedResults.Ok(new PredictionResponse(served.Name, served.Version, results));
        }
    }

    private static ValidationProblem? SelectorProblem(string? alias, int? version)
    {
        var errors = new Dictionary<string, string[]>();
        if (alias is not null && version is not null)
        {
            errors["alias"] = ["Ask for an alias or a version, not both."];
        }
        else if (version is < 1)
        {
            errors["version"] = ["version is a model version number: 1 or more."];
        }
        else if (alias is not null && !Names.IsValidAlias(alias))
        {
            errors["alias"] = [$"'{alias}' is not an alias name: {Names.AliasRule}."];
        }

        return errors.Count == 0 ? null : TypedResults.ValidationProblem(errors);
    }

    private static ProblemHttpResult TooLarge(long limit) =>
        TypedResults.Problem(
            $"The request is larger than the limit of {limit} bytes (Serving:MaxRequestBytes); send fewer instances per request.",
            statusCode: StatusCodes.Status413PayloadTooLarge,
            title: "Request too large");
}
