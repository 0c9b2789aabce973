using System.Security.Cryptography;
using System.Text.Json;
using MlOps.Images;

namespace MlOps.ServingService.Predictions;

/// <summary>
/// A picture in a JSON instance, by the KServe and TensorFlow Serving convention: <c>{"b64": "&lt;base64&gt;"}</c> (null: no
/// picture). The inference log keeps what identifies it, <c>{"sha256": "…", "bytes": n}</c>, never its bytes.
/// </summary>
public static class PictureValues
{
    public const string Base64Property = "b64";

    public static bool TryRead(JsonElement json, ImageLimits limits, out byte[]? picture, out string? error)
    {
        picture = null;
        error = null;
        if (json.ValueKind is JsonValueKind.Null)
        {
            return true;
        }

        if (json.ValueKind != JsonValueKind.Object || !json.TryGetProperty(Base64Property, out var encoded) || encoded.ValueKind != JsonValueKind.String
            || json.EnumerateObject().Count() != 1)
        {
            error = $"expects a picture as {{\"{Base64Property}\": \"<base64>\"}} (or a file part of a multipart/form-data request); got {Describe(json)}.";
            return false;
        }

        var text = encoded.GetString()!;
        if ((long)text.Length / 4 * 3 > limits.MaxBytes + 3)
        {
            error = $"is a picture of more than {limits.MaxBytes:N0} bytes, the most accepted.";
            return false;
        }

        var bytes = new byte[(text.Length / 4 * 3) + 3];
        if (!Convert.TryFromBase64String(text, bytes, out var written))
        {
            error = $"is not valid base64 in '{Base64Property}'.";
            return false;
        }

        picture = bytes[..written];
        error = SizeError(picture.Length, limits);
        return error is null;
    }

    /// <summary>Why a picture of this many bytes is refused before it is decoded (empty, or over the limit), or null.</summary>
    public static string? SizeError(long length, ImageLimits limits) =>
        length == 0 ? "is an empty picture."
            : length > limits.MaxBytes ? $"is a picture of {length:N0} bytes; at most {limits.MaxBytes:N0} are accepted."
            : null;

    /// <summary>What the inference log keeps of a picture.</summary>
    public static void WriteIdentity(Utf8JsonWriter json, string name, byte[] picture)
    {
        json.WriteStartObject(name);
        json.WriteString("sha256", Convert.ToHexStringLower(SHA256.HashData(picture)));
        json.WriteNumber("bytes", picture.Length);
        json.WriteEndObject();
    }

    private static string Describe(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.Object => "an object without a single 'b64' text",
        var kind => "a JSON " + kind.ToString().ToLowerInvariant(),
    };
}
