using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlOps.Learning.Models;

namespace MlOps.Learning.MlNet;

/// <summary>
/// An ML.NET predictor (LightGBM, FastTree, SDCA) on our featurizer's vector, kept in the model file as ML.NET's own
/// <c>.zip</c>. Thread-safe without a lock per row: ML.NET's transformer is immutable, and each caller borrows a
/// <see cref="PredictionEngine{TSrc,TDst}"/> from a pool (what Microsoft.Extensions.ML's PredictionEnginePool does).
/// Engines hold managed buffers only (a trained LightGBM model is ML.NET's own trees), so nothing needs disposing.
/// </summary>
public sealed class MlNetPredictor : PackagedPredictor
{
    public const string PackageKind = "mlnet";

    private readonly byte[] _package;
    private readonly double[] _importance;
    private readonly ObjectPool<ScoringSlot> _slots;

    internal MlNetPredictor(MLContext ml, ITransformer model, byte[] package, int width)
    {
        var input = FeatureViews.InputSchema(width);
        var output = model.GetOutputSchema(FeatureViews.Input(ml, width));
        var kind = output.GetColumnOrNull("Probability") is not null ? ScoreKind.Binary
            : output.GetColumnOrNull("Score") is { Type: VectorDataViewType vector } ? ScoreKind.Multiclass
            : ScoreKind.Regression;
        Outputs = kind == ScoreKind.Multiclass ? ((VectorDataViewType)output["Score"].Type).Size : 1;
        Width = width;
        _package = package;
        _importance = ModelParameters.FeatureImportance(model, width);
        Iterations = ModelParameters.Rounds(model);
        var creation = new Lock();
        _slots = new DefaultObjectPool<ScoringSlot>(
            new SlotPolicy(() =>
            {
                // An engine is made from the shared context; making two at once is not documented as safe.
                lock (creation)
                {
                    return ScoringSlot.Create(ml, model, input, kind);
                }
            }),
            2 * Environment.ProcessorCount);
    }

    public override string Kind => PackageKind;

    public override ReadOnlyMemory<byte> Package => _package;

    public override int Outputs { get; }

    public override int Width { get; }

    /// <summary>Boosting rounds the trees hold (per class for multiclass); 1 for a linear model.</summary>
    public int Iterations { get; }

    public override double[] FeatureImportance() => (double[])_importance.Clone();

    public override void Margins(ReadOnlySpan<int> indices, ReadOnlySpan<double> values, Span<double> margins)
    {
        var slot = _slots.Get();
        try
        {
            slot.Margins(indices, values, Width, margins);
        }
        finally
        {
            _slots.Return(slot);
        }
    }

    /// <summary>Loads a predictor saved by <see cref="Package"/>.</summary>
    /// <exception cref="ModelFormatException">The bytes are not an ML.NET model over a vector of <paramref name="width"/> features.</exception>
    public static MlNetPredictor Load(ReadOnlyMemory<byte> package, int width)
    {
        var ml = new MLContext();
        var bytes = package.ToArray();
        ITransformer model;
        DataViewSchema schema;
        try
        {
            model = ml.Model.Load(new MemoryStream(bytes, writable: false), out schema);
        }
        catch (Exception exception) when (exception is InvalidOperationException or FormatException or InvalidDataException or ArgumentException)
        {
            throw new ModelFormatException($"The packaged predictor is not an ML.NET model: {exception.Message}", exception);
        }

        if (schema.GetColumnOrNull(FeatureRow.FeaturesColumn) is not { Type: VectorDataViewType { Size: var size } } || size != width)
        {
            throw new ModelFormatException($"The packaged ML.NET model does not take a vector of {width} features.");
        }

        return new MlNetPredictor(ml, model, bytes, width);
    }

    private sealed class SlotPolicy(Func<ScoringSlot> create) : PooledObjectPolicy<ScoringSlot>
    {
        public override ScoringSlot Create() => create();

        public override bool Return(ScoringSlot obj) => true;
    }
}
