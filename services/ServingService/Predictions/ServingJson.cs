using System.Text.Json;
using System.Text.Json.Serialization;
using MlOps.Contracts.Serving;
using MlOps.ServingService.InferenceLog;

namespace MlOps.ServingService.Predictions;

/// <summary>Source-generated JSON for everything serving writes on its hot paths: no reflection per request.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PredictionResponse))]
[JsonSerializable(typeof(PredictionOutput))]
[JsonSerializable(typeof(InferenceRecord))]
[JsonSerializable(typeof(IReadOnlyList<ServedModel>))]
[JsonSerializable(typeof(PredictionLookupRequest))]
[JsonSerializable(typeof(PredictionLookupResponse))]
public sealed partial class ServingJson : JsonSerializerContext;

/// <summary>What the inference log keeps of a prediction's answer (the prediction without its id).</summary>
public sealed record PredictionOutput(string? Label, IReadOnlyDictionary<string, double>? Probabilities, double? Value);
