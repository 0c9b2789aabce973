using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using MlOps.Images;
using MlOps.Images.Embedding;

namespace MlOps.Bench;

/// <summary>
/// <c>embed-images --images DIR --batch B --threads T</c>: the ResNet18 encoder over every picture in a folder, one at a
/// time and in batches of B, decoding and resizing included; prints one JSON line of images a second. Each pass warms
/// up on one run of its own size first (a session's first run of a shape allocates its buffers).
/// </summary>
internal static class EmbedImagesCommand
{
    public static Command Create()
    {
        var images = new Option<DirectoryInfo>("--images") { Description = "A folder of pictures (draw-images writes one).", Required = true };
        var batch = new Option<int>("--batch") { Description = "Images a run in the batched pass (default 16).", DefaultValueFactory = _ => 16 };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime's threads a run (default 2).", DefaultValueFactory = _ => 2 };
        var command = new Command("embed-images", "Embed a folder of pictures with ResNet18, one at a time and batched; print images a second.") { images, batch, threads };
        command.SetAction(result =>
        {
            var files = result.GetValue(images)!.GetFiles().OrderBy(file => file.Name, StringComparer.Ordinal).Select(file => File.ReadAllBytes(file.FullName)).ToArray();
            var batchSize = result.GetValue(batch);
            var oneAtATime = Rate(files, new ImageEncoderOptions { BatchSize = 1, IntraOpThreads = result.GetValue(threads) });
            var batched = Rate(files, new ImageEncoderOptions { BatchSize = batchSize, IntraOpThreads = result.GetValue(threads) });
            Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["implementation"] = "ours",
                ["images"] = files.Length,
                ["batch"] = batchSize,
                ["oneAtATimePerSecond"] = Math.Round(oneAtATime, 2),
                ["batchedPerSecond"] = Math.Round(batched, 2),
            }));
            return 0;
        });
        return command;
    }

    private static double Rate(byte[][] files, ImageEncoderOptions options)
    {
        using var encoder = new ResNet18Encoder(options);
        encoder.Embed(files[..Math.Min(options.BatchSize, files.Length)]);
        var clock = Stopwatch.StartNew();
        if (options.BatchSize == 1)
        {
            foreach (var file in files)
            {
                encoder.Embed([file]);
            }
        }
        else
        {
            encoder.Embed(files);
        }

        return files.Length / clock.Elapsed.TotalSeconds;
    }
}
