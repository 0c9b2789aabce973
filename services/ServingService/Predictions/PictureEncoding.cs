using MlOps.Images.Embedding;
using MlOps.Learning.Features;

namespace MlOps.ServingService.Predictions;

/// <summary>
/// Encodes the pictures of a request's instances in one call to the encoder (batches run together), placing each vector
/// in its instance's row; a picture that cannot be used is an error at its place in the request.
/// </summary>
public static class PictureEncoding
{
    /// <summary>The number of pictures encoded.</summary>
    public static int Encode(Instance[] instances, ImageEmbedder embedder, Dictionary<string, string[]> errors, CancellationToken cancellationToken)
    {
        var pending = new List<(FeatureValue[] Row, PendingPicture Picture)>();
        foreach (var instance in instances)
        {
            foreach (var picture in instance.Pictures ?? [])
            {
                pending.Add((instance.Row, picture));
            }
        }

        if (pending.Count == 0)
        {
            return 0;
        }

        var outcomes = embedder.Embed([.. pending.Select(item => item.Picture.Bytes)], cancellationToken);
        for (var i = 0; i < pending.Count; i++)
        {
            var (row, picture) = pending[i];
            if (outcomes[i].Vector is { } vector)
            {
                row[picture.Position] = FeatureValue.FromVector(vector);
                picture.Sketch = ImageSketch.Of(vector);
            }
            else if (errors.Count < InstanceReader.MaxErrors)
            {
                errors[picture.Path] = [$"'{picture.Input}' cannot be used: {outcomes[i].Error}"];
            }
        }

        return pending.Count;
    }
}
