using System.Security.Cryptography;
using System.Text.Json;
using MlOps.Images;

namespace MlOps.ServingService.Predictions;

/// <summary>
/// A picture in a JSON instance, by the KServe and TensorFlow Serving convention: <c>{"b64": "&lt;base64&gt;"}</c> (null: no
/// picture). The inference log keeps what identifies it and what the drift monitor compares,
/// <c>{"sha256": "…", "bytes": n, "sketch": [32 numbers]}</c>, never its bytes.
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

    /// <summary>
    /// The logged instance: <paramref name="json"/> (an object of the instance's other inputs) with each picture's
    /// identity and sketch added as its input's value.
    /// </summary>
    public static string Logged(string json, IReadOnlyList<PendingPicture> pictures)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var picture in pictures)
            {
                writer.WriteStartObject(picture.Input);
                writer.WriteString("sha256", Convert.ToHexStringLower(SHA256.HashData(picture.Bytes)));
                writer.WriteNumber("bytes", picture.Bytes.Length);
                if (picture.Sketch is { } sketch)
                {
                    writer.WriteStartArray("sketch");
                    foreach (var value in sketch)
                    {
                        writer.WriteNumberValue(value);
                    }

                    writer.WriteEndArray();
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        // Both are compact objects: the pictures' members join the others' inside one pair of braces.
        var members = System.Text.Encoding.UTF8.GetString(buffer.ToArray())[1..^1];
        return json.Length > 2 ? string.Concat(json.AsSpan(0, json.Length - 1), ",", members, "}") : "{" + members + "}";
    }

    private static string Describe(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.Object => "an object without a single 'b64' text",
        var kind => "a JSON " + kind.ToString().ToLowerInvariant(),
    };
}
