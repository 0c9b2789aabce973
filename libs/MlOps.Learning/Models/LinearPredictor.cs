namespace MlOps.Learning.Models;

/// <summary>
/// A fitted linear model: one weight vector and intercept per output (one output for regression and binary
/// classification, one per class for multinomial). Weights are row-major, <see cref="Width"/> per output.
/// </summary>
public sealed class LinearPredictor : Predictor
{
    public LinearPredictor(int outputs, int width, double[] weights, double[] intercepts)
    {
        if (weights.Length != outputs * width || intercepts.Length != outputs)
        {
            throw new ArgumentException($"A linear predictor with {outputs} outputs of width {width} needs {outputs * width} weights and {outputs} intercepts.");
        }

        Outputs = outputs;
        Width = width;
        Weights = weights;
        Intercepts = intercepts;
    }

    public override int Outputs { get; }

    public override int Width { get; }

    public double[] Weights { get; }

    public double[] Intercepts { get; }

    public ReadOnlySpan<double> WeightsOf(int output) => Weights.AsSpan(output * Width, Width);

    public override void Margins(ReadOnlySpan<int> indices, ReadOnlySpan<double> values, Span<double> margins)
    {
        for (var k = 0; k < Outputs; k++)
        {
            var weights = WeightsOf(k);
            var sum = Intercepts[k];
            for (var e = 0; e < indices.Length; e++)
            {
                sum += weights[indices[e]] * values[e];
            }

            margins[k] = sum;
        }
    }
}
