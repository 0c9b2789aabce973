using System.CommandLine;
using MlOps.Learning.Generators;

namespace MlOps.Bench;

/// <summary><c>generate --generator NAME --rows N --seed S --out FILE.csv</c>: one of the platform's dataset generators to a CSV file.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var generator = new Option<string>("--generator") { Description = "A generator's name (cart-abandonment, review-sentiment, …).", Required = true };
        generator.AcceptOnlyFromAmong([.. DatasetGenerators.All.Select(g => g.Name)]);
        var rows = new Option<int>("--rows") { Description = "Rows to write.", Required = true };
        var seed = new Option<int>("--seed") { Description = "The generator's seed (default 1).", DefaultValueFactory = _ => 1 };
        var output = new Option<FileInfo>("--out") { Description = "The CSV file to write.", Required = true };
        var command = new Command("generate", "Write a generated dataset to a CSV file.") { generator, rows, seed, output };
        command.SetAction(async (result, cancellationToken) =>
        {
            DatasetGenerators.TryGet(result.GetValue(generator)!, out var chosen);
            await using var file = result.GetValue(output)!.Create();
            await chosen!.WriteAsync(file, new GeneratorRequest(result.GetValue(rows), result.GetValue(seed)), cancellationToken);
            return 0;
        });
        return command;
    }
}
