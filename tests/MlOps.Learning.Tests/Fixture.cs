using System.Text.Json;

namespace MlOps.Learning.Tests;

/// <summary>Reads the committed fixture files (data and scikit-learn's expected numbers) from the test output.</summary>
internal static class Fixture
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static JsonElement Json(string name) => JsonDocument.Parse(File.ReadAllText(PathOf(name))).RootElement;

    public static double[] Doubles(JsonElement element) => element.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    public static int[] Ints(JsonElement element) => element.EnumerateArray().Select(e => e.GetInt32()).ToArray();
}
