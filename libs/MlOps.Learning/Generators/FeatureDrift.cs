using System.Globalization;

namespace MlOps.Learning.Generators;

/// <summary>A feature a generator can drift: numeric (with its undrifted mean and stdev) or categorical (with its mix).</summary>
internal sealed record DriftableFeature(string Name, double Mean, double Stdev, string[]? Categories, double[]? Weights)
{
    public static DriftableFeature Numeric(string name, double mean, double stdev) => new(name, mean, stdev, null, null);

    public static DriftableFeature Categorical(string name, string[] categories, double[] weights) =>
        new(name, 0, 0, categories, weights);

    public static DriftableFeature Boolean(string name, double probabilityTrue) =>
        new(name, 0, 0, ["true", "false"], [probabilityTrue, 1 - probabilityTrue]);

    public bool IsCategorical => Categories is not null;
}

/// <summary><c>x' = mean + (x − mean)·scale + shift·stdev</c>; the identity, bit for bit, when not drifted.</summary>
internal sealed class NumericShift(double mean, double stdev, double scale, double shift)
{
    private readonly bool _identity = scale == 1 && shift == 0;

    public double Apply(double value) => _identity ? value : mean + ((value - mean) * scale) + (shift * stdev);
}

/// <summary>Draws a category index with fixed weights, from one uniform draw whatever the weights.</summary>
internal sealed class CategorySampler
{
    private readonly double[] _cumulative;

    public CategorySampler(double[] weights)
    {
        _cumulative = new double[weights.Length];
        var total = 0.0;
        for (var i = 0; i < weights.Length; i++)
        {
            total += weights[i];
            _cumulative[i] = total;
        }

        for (var i = 0; i < weights.Length; i++)
        {
            _cumulative[i] /= total;
        }
    }

    public int Sample(GeneratorRandom random)
    {
        var u = random.NextDouble();
        for (var i = 0; i < _cumulative.Length - 1; i++)
        {
            if (u < _cumulative[i])
            {
                return i;
            }
        }

        return _cumulative.Length - 1;
    }
}

/// <summary>A request's drift, checked against the features a generator can drift and resolved per feature.</summary>
internal sealed class FeatureDrift
{
    private readonly Dictionary<string, DriftableFeature> _features;
    private readonly IReadOnlyDictionary<string, DriftSpec> _specs;

    private FeatureDrift(Dictionary<string, DriftableFeature> features, IReadOnlyDictionary<string, DriftSpec> specs)
    {
        _features = features;
        _specs = specs;
    }

    public static FeatureDrift Create(string generator, IReadOnlyList<DriftableFeature> features, IReadOnlyDictionary<string, DriftSpec>? drift)
    {
        var byName = features.ToDictionary(f => f.Name, StringComparer.Ordinal);
        var specs = drift ?? new Dictionary<string, DriftSpec>();
        foreach (var (name, spec) in specs)
        {
            if (!byName.TryGetValue(name, out var feature))
            {
                throw new ArgumentException(
                    $"The '{generator}' generator has no feature '{name}' to drift. The features it can drift are: "
                    + $"{string.Join(", ", features.Select(f => f.Name))}.",
                    nameof(drift));
            }

            Check(feature, spec ?? throw new ArgumentException($"The drift of '{name}' is null.", nameof(drift)));
        }

        return new FeatureDrift(byName, specs);
    }

    public NumericShift Numeric(string name)
    {
        var feature = _features[name];
        var spec = _specs.GetValueOrDefault(name);
        return new NumericShift(feature.Mean, feature.Stdev, spec?.Scale ?? 1, spec?.MeanShift ?? 0);
    }

    public CategorySampler Categorical(string name)
    {
        var feature = _features[name];
        var mix = _specs.GetValueOrDefault(name)?.CategoryMix;
        if (mix is null)
        {
            return new CategorySampler(feature.Weights!);
        }

        return new CategorySampler(feature.Categories!.Select(c => mix.GetValueOrDefault(c)).ToArray());
    }

    private static void Check(DriftableFeature feature, DriftSpec spec)
    {
        var name = feature.Name;
        if (!feature.IsCategorical)
        {
            if (spec.CategoryMix is not null)
            {
                throw new ArgumentException($"'{name}' is numeric: drift it with MeanShift and Scale, not CategoryMix.", nameof(spec));
            }

            if (!double.IsFinite(spec.MeanShift) || !double.IsFinite(spec.Scale) || spec.Scale < 0)
            {
                throw new ArgumentException(
                    $"The drift of '{name}' needs a finite MeanShift and a finite Scale of 0 or more "
                    + $"(got {spec.MeanShift.ToString(CultureInfo.InvariantCulture)} and {spec.Scale.ToString(CultureInfo.InvariantCulture)}).",
                    nameof(spec));
            }

            return;
        }

        if (spec.MeanShift != 0 || spec.Scale != 1)
        {
            throw new ArgumentException($"'{name}' is categorical: drift it with CategoryMix, not MeanShift or Scale.", nameof(spec));
        }

        if (spec.CategoryMix is null)
        {
            return;
        }

        var categories = feature.Categories!;
        var total = 0.0;
        foreach (var (category, weight) in spec.CategoryMix)
        {
            if (!categories.Contains(category, StringComparer.Ordinal))
            {
                throw new ArgumentException(
                    $"'{name}' has no category '{category}'. Its categories are: {string.Join(", ", categories)}.", nameof(spec));
            }

            if (!double.IsFinite(weight) || weight < 0)
            {
                throw new ArgumentException($"The weight of '{category}' in the drift of '{name}' must be a finite number, 0 or more.", nameof(spec));
            }

            total += weight;
        }

        if (!(total > 0))
        {
            throw new ArgumentException($"The category mix of '{name}' needs at least one positive weight.", nameof(spec));
        }
    }
}
