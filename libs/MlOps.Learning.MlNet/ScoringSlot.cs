using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlOps.Learning.MlNet;

/// <summary>
/// One ML.NET <see cref="PredictionEngine{TSrc,TDst}"/> with its input and output rows: what a caller borrows from
/// <see cref="MlNetPredictor"/>'s pool, because an engine reuses buffers and so serves one thread at a time.
/// </summary>
internal abstract class ScoringSlot
{
    private float[] _values = new float[16];
    private int[] _indices = new int[16];

    protected FeatureRow Input { get; } = new();

    /// <summary>The row's margins (what <see cref="Models.Predictor.Margins"/> answers) from its non-zero entries.</summary>
    public void Margins(ReadOnlySpan<int> indices, ReadOnlySpan<double> values, int width, Span<double> margins)
    {
        if (_values.Length < values.Length)
        {
            _values = new float[Math.Max(values.Length, 2 * _values.Length)];
            _indices = new int[_values.Length];
        }

        for (var i = 0; i < values.Length; i++)
        {
            _values[i] = (float)values[i];
        }

        indices.CopyTo(_indices);
        Input.Features = values.Length == width
            ? new VBuffer<float>(width, _values)
            : new VBuffer<float>(width, values.Length, _values, _indices);
        Score(margins);
    }

    protected abstract void Score(Span<double> margins);

    public static ScoringSlot Create(MLContext ml, ITransformer model, SchemaDefinition input, ScoreKind kind) => kind switch
    {
        ScoreKind.Binary => new Binary(ml.Model.CreatePredictionEngine<FeatureRow, BinaryOutput>(model, true, input)),
        ScoreKind.Multiclass => new Multiclass(ml.Model.CreatePredictionEngine<FeatureRow, MulticlassOutput>(model, true, input)),
        _ => new Regression(ml.Model.CreatePredictionEngine<FeatureRow, RegressionOutput>(model, true, input)),
    };

    /// <summary>The calibrated probability as a margin (its logit), which our sigmoid turns back into it.</summary>
    private sealed class Binary(PredictionEngine<FeatureRow, BinaryOutput> engine) : ScoringSlot
    {
        private BinaryOutput _output = new();

        protected override void Score(Span<double> margins)
        {
            engine.Predict(Input, ref _output);
            var probability = Math.Clamp((double)_output.Probability, 1e-12, 1 - 1e-12);
            margins[0] = Math.Log(probability / (1 - probability));
        }
    }

    /// <summary>Each class's probability as a margin (its logarithm), which our softmax turns back into it.</summary>
    private sealed class Multiclass(PredictionEngine<FeatureRow, MulticlassOutput> engine) : ScoringSlot
    {
        private MulticlassOutput _output = new();

        protected override void Score(Span<double> margins)
        {
            engine.Predict(Input, ref _output);
            for (var k = 0; k < margins.Length; k++)
            {
                margins[k] = Math.Log(Math.Max(_output.Score[k], 1e-30));
            }
        }
    }

    private sealed class Regression(PredictionEngine<FeatureRow, RegressionOutput> engine) : ScoringSlot
    {
        private RegressionOutput _output = new();

        protected override void Score(Span<double> margins)
        {
            engine.Predict(Input, ref _output);
            margins[0] = _output.Score;
        }
    }
}
