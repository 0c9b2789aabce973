using System.Globalization;
using System.Text;
using MlOps.Learning.MlNet;
using MlOps.Learning.Algorithms;
using MlOps.Learning.Training;
using MlOps.TestSupport;

namespace MlOps.TrainerService.Tests.Training;

/// <summary>
/// The algorithm table of docs/training.md is the catalogue's, written out: a hyperparameter added, renamed or given a
/// new default or range in <see cref="AlgorithmCatalog"/> fails this test until the docs say the same. The failure
/// message holds the table to paste.
/// </summary>
public sealed class AlgorithmDocsTests
{
    private const string Begin = "<!-- algorithm catalogue: generated from AlgorithmCatalog, checked by AlgorithmDocsTests -->";
    private const string End = "<!-- end of algorithm catalogue -->";

    [Fact]
    public void The_docs_table_of_algorithms_is_the_catalogue()
    {
        var docs = File.ReadAllText(RepositoryRoot.Combine("docs", "training.md")).ReplaceLineEndings("\n");
        var start = docs.IndexOf(Begin, StringComparison.Ordinal);
        var end = docs.IndexOf(End, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"docs/training.md has no section between '{Begin}' and '{End}'.");

        var written = docs[(start + Begin.Length)..end].Trim('\n');
        var expected = Table(MlNetLearners.Platform);

        Assert.True(written == expected, $"docs/training.md's algorithm table differs from the catalogue; the catalogue's is:\n\n{expected}\n");
    }

    private static string Table(AlgorithmCatalog catalog)
    {
        var table = new StringBuilder();
        Section(table, "Every algorithm", AlgorithmCatalog.Common);
        foreach (var algorithm in catalog.All)
        {
            table.Append('\n');
            Section(table, $"`{algorithm.Name}` ({string.Join(", ", algorithm.Tasks.Select(TaskNames.Of))})", algorithm.Hyperparameters);
        }

        return table.ToString().TrimEnd('\n');
    }

    private static void Section(StringBuilder table, string title, IEnumerable<Hyperparameter> hyperparameters)
    {
        table.Append(CultureInfo.InvariantCulture, $"**{title}**\n\n| hyperparameter | type | default | range | what it does |\n| --- | --- | --- | --- | --- |\n");
        foreach (var spec in hyperparameters.Select(h => h.Describe()))
        {
            var range = spec.Choices is { } choices
                ? string.Join(", ", choices.Select(choice => $"`{choice}`"))
                : (spec.Minimum, spec.Maximum) switch
                {
                    ({ } min, { } max) => $"{Number(min)} to {Number(max)}",
                    _ => "",
                };
            table.Append(CultureInfo.InvariantCulture, $"| `{spec.Name}` | {spec.Type} | {spec.Default} | {range} | {spec.Description.Replace("|", "\\|", StringComparison.Ordinal)} |\n");
        }
    }

    private static string Number(double value) => value.ToString("#,0.######", CultureInfo.InvariantCulture);
}
