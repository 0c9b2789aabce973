using MlOps.Learning.Data;

namespace MlOps.Learning.Generators;

/// <summary>
/// The generators' randomness: xoshiro256** (<see cref="DataSplitRandom"/>) and nothing but integer and IEEE
/// arithmetic on top of it (no logarithms or sines, whose last bit may differ between runtimes), so a seed gives the
/// same bytes everywhere. Every draw consumes a fixed number of 64-bit outputs, so drifting one feature leaves the values
/// of the others untouched.
/// </summary>
internal sealed class GeneratorRandom(long seed)
{
    private const double Unit = 1.0 / (1UL << 53);
    private readonly DataSplitRandom _random = new(seed);

    /// <summary>Uniform in [0, 1), 53 bits.</summary>
    public double NextDouble() => (_random.NextUInt64() >> 11) * Unit;

    /// <summary>Uniform in [0, <paramref name="bound"/>), one draw.</summary>
    public int NextInt(int bound) => Math.Min(bound - 1, (int)(NextDouble() * bound));

    public bool Chance(double probability) => NextDouble() < probability;

    /// <summary>Standard normal, approximated by the Irwin–Hall sum of 12 uniforms minus 6 (exact mean 0, variance 1).</summary>
    public double NextNormal()
    {
        var sum = 0.0;
        for (var i = 0; i < 12; i++)
        {
            sum += NextDouble();
        }

        return sum - 6.0;
    }

    public T Pick<T>(IReadOnlyList<T> items) => items[NextInt(items.Count)];
}
