using Microsoft.ML;
using Microsoft.ML.Data;
using System.Reflection;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;

namespace MlOps.Learning.MlNet;

/// <summary>What a trained ML.NET predictor says about itself: each feature's importance and the rounds its trees hold.</summary>
internal static class ModelParameters
{
    /// <summary>
    /// Each feature's importance: the trees' gain-based feature weights or a linear model's absolute weights, summed
    /// over the one-versus-all parts or classes.
    /// </summary>
    public static double[] FeatureImportance(ITransformer model, int width)
    {
        var importance = new double[width];
        foreach (var part in Parts(PredictorOf(model)))
        {
            switch (part)
            {
                case LinearMulticlassModelParametersBase multiclass:
                {
                    VBuffer<float>[] weights = [];
                    multiclass.GetWeights(ref weights, out _);
                    foreach (var classWeights in weights)
                    {
                        Add(classWeights, importance);
                    }

                    break;
                }

                case TreeEnsembleModelParameters trees:
                {
                    var weights = default(VBuffer<float>);
                    trees.GetFeatureWeights(ref weights);
                    Add(weights, importance);
                    break;
                }

                case LinearModelParameters linear:
                {
                    var index = 0;
                    foreach (var weight in linear.Weights)
                    {
                        if (index < importance.Length)
                        {
                            importance[index] += Math.Abs(weight);
                        }

                        index++;
                    }

                    break;
                }
            }
        }

        return importance;
    }

    /// <summary>The most trees any one part holds (boosting rounds; per class for multiclass), or 1 for a linear model.</summary>
    public static int Rounds(ITransformer model)
    {
        var rounds = 1;
        foreach (var part in Parts(PredictorOf(model)))
        {
            if (part is TreeEnsembleModelParametersBasedOnRegressionTree trees)
            {
                rounds = Math.Max(rounds, trees.TrainedTreeEnsemble.Trees.Count);
            }
        }

        return rounds;
    }

    private static object? PredictorOf(ITransformer model) => model switch
    {
        IPredictionTransformer<object> prediction => prediction.Model,
        IEnumerable<ITransformer> chain => chain.Select(PredictorOf).LastOrDefault(found => found is not null),
        _ => null,
    };

    /// <summary>
    /// The predictors inside one: a one-versus-all model's per-class parts, a calibrated model's uncalibrated one.
    /// ML.NET does not expose them on a type we can name (the calibrated one's is on a generic over its calibrator, the
    /// one-versus-all's is not public), so they are read by name; this runs once a model, never per row.
    /// </summary>
    private static IEnumerable<object> Parts(object? predictor)
    {
        if (predictor is null)
        {
            return [];
        }

        if (Member(predictor, "SubModelParameters") is System.Collections.IEnumerable parts)
        {
            return parts.Cast<object>().SelectMany(Parts);
        }

        return Member(predictor, "SubModel") is { } inner ? Parts(inner) : [predictor];
    }

    /// <summary>The first property of that name (a calibrated model has two <c>SubModel</c>s, generic and not, holding the same part).</summary>
    private static object? Member(object predictor, string name) => predictor.GetType()
        .GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
        .FirstOrDefault(property => property.Name == name && property.GetIndexParameters().Length == 0)
        ?.GetValue(predictor);

    private static void Add(VBuffer<float> weights, double[] importance)
    {
        var values = weights.GetValues();
        var indices = weights.GetIndices();
        for (var i = 0; i < values.Length; i++)
        {
            var index = weights.IsDense ? i : indices[i];
            if (index < importance.Length)
            {
                importance[index] += Math.Abs(values[i]);
            }
        }
    }
}
