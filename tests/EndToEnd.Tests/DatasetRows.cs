using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;

namespace MlOps.EndToEnd.Tests;

/// <summary>Rows of a dataset as a client reads them: downloaded as CSV, each row's features as an instance, and its target.</summary>
internal static class DatasetRows
{
    public static async Task<(List<JsonObject> Instances, List<string> Targets)> ReadAsync(HttpClient client, string dataset, string target) =>
        Rows(await client.GetStringAsync($"/api/datasets/{dataset}/versions/latest/content"), target, picture: null);

    /// <summary>
    /// A dataset archive's rows: its CSV's, each picture of <paramref name="imageColumn"/> sent as <c>{"b64": …}</c>
    /// (the KServe convention), and the pictures' bytes in row order.
    /// </summary>
    public static async Task<(List<JsonObject> Instances, List<string> Targets, List<byte[]> Pictures)> ReadArchiveAsync(
        HttpClient client, string dataset, string target, string imageColumn)
    {
        using var zip = new ZipArchive(new MemoryStream(await client.GetByteArrayAsync($"/api/datasets/{dataset}/versions/latest/content")), ZipArchiveMode.Read);
        var csv = zip.Entries.Single(entry => entry.FullName.EndsWith(".csv", StringComparison.Ordinal));
        using var reader = new StreamReader(csv.Open());
        var pictures = new List<byte[]>();
        var (instances, targets) = Rows(await reader.ReadToEndAsync(), target, (column, value) =>
        {
            if (column != imageColumn)
            {
                return null;
            }

            using var content = zip.GetEntry(value)!.Open();
            using var copy = new MemoryStream();
            content.CopyTo(copy);
            pictures.Add(copy.ToArray());
            return new JsonObject { ["b64"] = Convert.ToBase64String(copy.ToArray()) };
        });
        return (instances, targets, pictures);
    }

    private static (List<JsonObject> Instances, List<string> Targets) Rows(string csv, string target, Func<string, string, JsonNode?>? picture)
    {
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var header = Fields(lines[0]);
        var instances = new List<JsonObject>(lines.Length - 1);
        var targets = new List<string>(lines.Length - 1);
        foreach (var line in lines.Skip(1))
        {
            var instance = new JsonObject();
            var cells = Fields(line);
            for (var i = 0; i < header.Count; i++)
            {
                if (header[i] == target)
                {
                    targets.Add(cells[i]);
                }
                else if (cells[i].Length > 0)
                {
                    instance[header[i]] = picture?.Invoke(header[i], cells[i])
                        ?? (cells[i] is "true" or "false" ? JsonValue.Create(cells[i] == "true")
                        : double.TryParse(cells[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? JsonValue.Create(number)
                        : JsonValue.Create(cells[i]));
                }
            }

            instances.Add(instance);
        }

        return (instances, targets);
    }

    /// <summary>One CSV line's fields (RFC 4180 quoting; the generators write no line breaks inside fields).</summary>
    private static List<string> Fields(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return fields;
    }
}
