using System.Globalization;
using System.Text;
using MlOps.Learning.Data;

namespace MlOps.Onnx.Tests;

/// <summary>
/// A seeded table with every kind of input an exported model must featurize: numbers with missing values, a boolean,
/// a categorical column with more values than a model keeps (the rest are "other") and missing ones, and a second
/// small one; the target is binary, three classes, or a number. Numbers are exactly representable as float, as the
/// exported graph takes them. Held-out rows also hold categories never seen in training.
/// </summary>
internal static class ExportTable
{
    public const string Binary = "churned";
    public const string Multiclass = "tier";
    public const string Regression = "spend";

    public static DataTable Create(string target, int rows, int seed, bool unseenCategories = false)
    {
        var random = new Random(seed);
        var csv = new StringBuilder($"age,income,member,city,plan,{target}\n");
        for (var row = 0; row < rows; row++)
        {
            var age = random.NextDouble() < 0.05 ? (double?)null : (float)(18 + (random.NextDouble() * 60));
            var income = (float)Math.Round(20_000 + (random.NextDouble() * 90_000), 2);
            var member = random.NextDouble() < 0.4;
            var cityIndex = (int)Math.Floor(Math.Pow(random.NextDouble(), 2) * 40);
            var city = unseenCategories && random.NextDouble() < 0.1 ? "Atlantis" : "city" + cityIndex.ToString(CultureInfo.InvariantCulture);
            var plan = random.NextDouble() < 0.05 ? null : new[] { "basic", "plus", "pro", "team" }[random.Next(4)];
            var cityEffect = (cityIndex % 7) / 7.0;
            var score = ((age ?? 40) / 30.0) - (income / 50_000.0) + (member ? 0.8 : -0.3) + (plan == "pro" ? 0.9 : 0) + cityEffect + (random.NextDouble() - 0.5);
            var label = target switch
            {
                Binary => score > 0.4 ? "yes" : "no",
                Multiclass => score < 0 ? "bronze" : score < 1 ? "silver" : "gold",
                _ => ((float)((score * 100) + 500)).ToString("R", CultureInfo.InvariantCulture),
            };
            csv.Append(CultureInfo.InvariantCulture, $"{(age is null ? string.Empty : ((float)age).ToString("R", CultureInfo.InvariantCulture))},{income.ToString("R", CultureInfo.InvariantCulture)},{(member ? "true" : "false")},{city},{plan},{label}\n");
        }

        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(csv.ToString()));
        return CsvTableReader.Read(stream);
    }
}
