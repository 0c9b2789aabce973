using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using MlOps.Contracts.Registry;

namespace MlOps.OnnxTestModels;

/// <summary>The body of <c>POST /api/models/{name}/versions</c>: the model file in part <c>file</c>, the descriptor in part <c>descriptor</c>.</summary>
public static class ModelUploads
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static MultipartFormDataContent Content(byte[]? file, ModelDescriptor descriptor) => Content(file, JsonSerializer.Serialize(descriptor, Json));

    /// <summary>A body with either part left out when null (what a careless client sends).</summary>
    public static MultipartFormDataContent Content(byte[]? file, string? descriptor)
    {
        var content = new MultipartFormDataContent();
        if (file is not null)
        {
            var part = new ByteArrayContent(file);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            content.Add(part, "file", "model.onnx");
        }

        if (descriptor is not null)
        {
            content.Add(new StringContent(descriptor, Encoding.UTF8, "application/json"), "descriptor");
        }

        return content;
    }
}
