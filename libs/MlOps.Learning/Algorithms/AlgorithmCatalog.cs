using System.Globalization;
using System.Text.Json;
using MlOps.Contracts.Training;
using MlOps.Learning.Training;

namespace MlOps.Learning.Algorithms;

/// <summary>
/// The learners a job may name, and the settings every job has besides the learner's own: the share of rows held out
/// for validation and the seed of the split. The one definition of every algorithm's tasks and hyperparameters (names,
/// types, defaults, ranges, help): the trainer validates jobs with it and lists it, the bench harness reads its
/// <c>--param</c>s through it, and a test keeps the docs' table equal to it.
/// </summary>
public sealed class AlgorithmCatalog
{
    public const string ValidationFraction = "validationFraction";
    public const string Seed = "seed";

    /// <summary>The settings every job has besides its learner's own.</summary>
    public static IReadOnlyList<Hyperparameter> Common { get; } =
    [
        new(ValidationFraction, HyperparameterType.Number, "0.2", "Share of rows held out (stratified for classification) for validation metrics and promotion.", 0.05, 0.5),
        new(Seed, HyperparameterType.WholeNumber, "0", "Seed of the train/validation split and of any randomness in the learner.", 0, int.MaxValue),
    ];

    /// <summary>The platform's learners.</summary>
    public static IReadOnlyList<ITrainingAlgorithm> Learners { get; } =
        [LinearAlgorithm.LogisticRegression, LinearAlgorithm.LinearRegression, TreeAlgorithm.GradientBoosting, TreeAlgorithm.RandomForest];

    /// <summary>A catalogue of <see cref="Learners"/>.</summary>
    public static AlgorithmCatalog Standard { get; } = new(Learners);

    private readonly Dictionary<string, ITrainingAlgorithm> _algorithms;

    public AlgorithmCatalog(IEnumerable<ITrainingAlgorithm> algorithms) =>
        _algorithms = algorithms.ToDictionary(algorithm => algorithm.Name, StringComparer.Ordinal);

    public IEnumerable<ITrainingAlgorithm> All => _algorithms.Values.OrderBy(algorithm => algorithm.Name, StringComparer.Ordinal);

    public bool TryGet(string name, out ITrainingAlgorithm algorithm) => _algorithms.TryGetValue(name, out algorithm!);

    public ITrainingAlgorithm Get(string name) => _algorithms[name];

    /// <summary>
    /// Every hyperparameter of <paramref name="algorithm"/> and the common ones with its value (given or default), or
    /// an error per unknown name or invalid value (keyed <c>hyperparameters.{name}</c>).
    /// </summary>
    public static (IReadOnlyDictionary<string, string> Values, Dictionary<string, string[]> Errors) Read(
        ITrainingAlgorithm algorithm, IReadOnlyDictionary<string, JsonElement>? given)
    {
        var specs = Common.Concat(algorithm.Hyperparameters).ToDictionary(spec => spec.Name, StringComparer.Ordinal);
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var errors = new Dictionary<string, string[]>();
        foreach (var (name, value) in given ?? new Dictionary<string, JsonElement>())
        {
            if (!specs.TryGetValue(name, out var spec))
            {
                errors[$"hyperparameters.{name}"] =
                    [$"'{algorithm.Name}' has no hyperparameter '{name}'. It takes: {string.Join(", ", specs.Keys.Order(StringComparer.Ordinal))}."];
                continue;
            }

            var (read, error) = spec.Read(value);
            if (error is not null)
            {
                errors[$"hyperparameters.{name}"] = [error];
            }
            else
            {
                values[name] = read!;
            }
        }

        foreach (var spec in specs.Values)
        {
            values.TryAdd(spec.Name, spec.Default);
        }

        return (values, errors);
    }

    /// <summary>
    /// <see cref="Read(ITrainingAlgorithm, IReadOnlyDictionary{string, JsonElement}?)"/> for <c>key=value</c> text (the
    /// bench harness's <c>--param</c>): a value is read as JSON when it is a number or <c>true</c>/<c>false</c>, else as text.
    /// </summary>
    public static (IReadOnlyDictionary<string, string> Values, Dictionary<string, string[]> Errors) ReadText(ITrainingAlgorithm algorithm, IEnumerable<string> pairs)
    {
        var given = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var errors = new Dictionary<string, string[]>();
        foreach (var pair in pairs)
        {
            var separator = pair.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0)
            {
                errors[pair] = [$"A hyperparameter is key=value, not '{pair}'."];
                continue;
            }

            var text = pair[(separator + 1)..];
            given[pair[..separator]] = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _) || text is "true" or "false"
                ? JsonDocument.Parse(text).RootElement.Clone()
                : JsonSerializer.SerializeToElement(text);
        }

        var (values, readErrors) = Read(algorithm, given);
        foreach (var (key, value) in readErrors)
        {
            errors[key] = value;
        }

        return (values, errors);
    }

    public static AlgorithmDescription Describe(ITrainingAlgorithm algorithm) => new(
        algorithm.Name,
        algorithm.Tasks.Select(TaskNames.Of).ToArray(),
        Common.Concat(algorithm.Hyperparameters).Select(spec => spec.Describe()).ToArray());

    public static double ValidationShare(HyperparameterValues values) =>
        double.Parse(values.All[ValidationFraction], CultureInfo.InvariantCulture);
}
