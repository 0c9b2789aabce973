using Microsoft.ML;
using MlOps.Learning.Algorithms;
using MlOps.Learning.Data;
using MlOps.Learning.Features;
using MlOps.Learning.Models;
using MlOps.Learning.Training;

namespace MlOps.Learning.MlNet;

/// <summary>
/// An ML.NET trainer as an algorithm of the platform. It trains on the same featurized rows as our learners (our
/// featurizer, fitted on the training rows, makes one float vector a row) and the resulting model is one of ours, with
/// the ML.NET predictor packaged in it: evaluated, registered, served, logged and drift-checked like any other.
/// With <c>earlyStoppingRounds</c> a seeded 10% of the training rows is held out for the trainer to watch, as for
/// <c>gbdt</c>. ML.NET reports no rounds while it trains and cannot be stopped midway, so progress is reported and a
/// cancel takes effect once, when its trainer returns.
/// </summary>
public abstract class MlNetAlgorithm : ITrainingAlgorithm
{
    /// <summary>Training rows the reported training loss is measured on at most.</summary>
    private const int LossRows = 10_000;

    protected MlNetAlgorithm(string name, IReadOnlyList<Hyperparameter> hyperparameters)
    {
        Name = name;
        Hyperparameters = hyperparameters;
    }

    public string Name { get; }

    public IReadOnlyList<LearningTask> Tasks { get; } = [LearningTask.BinaryClassification, LearningTask.MulticlassClassification, LearningTask.Regression];

    public IReadOnlyList<Hyperparameter> Hyperparameters { get; }

    /// <summary>Fits on the training rows, with the held-out rows early stopping watches when there are any.</summary>
    protected delegate ITransformer Fit(IDataView training, IDataView? heldOut);

    /// <summary>How the featurizer prepares rows for this trainer (missing values, scaling, categories, text).</summary>
    protected abstract FeaturizerOptions Featurization(HyperparameterValues settings);

    /// <summary>The trainer for <paramref name="task"/>, reading the label column <see cref="LabelColumn"/> names.</summary>
    protected abstract Fit Trainer(MLContext ml, LearningTask task, HyperparameterValues settings, int? threads, int seed);

    /// <summary>Rounds without improvement on the held-out rows after which training stops; 0 for never.</summary>
    protected virtual int EarlyStoppingRounds(HyperparameterValues settings, LearningTask task) => 0;

    protected static string LabelColumn(LearningTask task) => task switch
    {
        LearningTask.BinaryClassification => TrainingRow.FlagColumn,
        LearningTask.MulticlassClassification => TrainingRow.ClassColumn,
        _ => TrainingRow.ValueColumn,
    };

    public Model Train(TrainingInput input, Action<TrainingIteration> onIteration, CancellationToken cancellationToken)
    {
        var settings = WithDefaults(input.Hyperparameters);
        var (encoding, inputs) = TargetEncoding.Prepare(input.Rows, input.Target, input.Task);
        var featurizer = Featurizer.Fit(inputs, Featurization(settings));
        var rows = FeatureViews.Rows(featurizer.Transform(inputs), encoding);
        cancellationToken.ThrowIfCancellationRequested();

        var ml = new MLContext(input.Seed);
        var schema = FeatureViews.TrainingSchema(featurizer.Width, encoding.Classes.Length);
        var fit = Trainer(ml, encoding.Task, settings, input.Threads, input.Seed);
        var patience = EarlyStoppingRounds(settings, encoding.Task);
        var (training, heldOut) = patience > 0 ? HoldOut(rows, input.Seed) : (rows, null);
        var trainingView = ml.Data.LoadFromEnumerable(training, schema);
        // ML.NET has no public way to stop a trainer midway (MLContext's cancellation is internal): a cancel takes
        // effect when the trainer returns.
        var fitted = fit(trainingView, heldOut is null ? null : ml.Data.LoadFromEnumerable(heldOut, schema));
        cancellationToken.ThrowIfCancellationRequested();

        using var package = new MemoryStream();
        ml.Model.Save(fitted, FeatureViews.Input(ml, featurizer.Width), package);
        var predictor = new MlNetPredictor(ml, fitted, package.ToArray(), featurizer.Width);
        var rounds = predictor.Iterations;
        var requested = settings.All.TryGetValue("rounds", out var asked) ? int.Parse(asked, System.Globalization.CultureInfo.InvariantCulture) : rounds;
        var reason = patience > 0 && rounds < requested
            ? $"early stopping: no better validation loss in {patience} rounds after round {rounds}"
            : $"{rounds} rounds";
        var parameters = Hyperparameters.ToDictionary(spec => spec.Name, spec => settings.All[spec.Name], StringComparer.Ordinal);
        var model = new Model(
            Name,
            encoding.Task,
            input.Target,
            encoding.Classes,
            featurizer,
            predictor,
            new TrainingMetadata(ModelFile.LibraryVersion, parameters, input.Seed, input.DatasetSha256, training.Length, rounds, reason));
        onIteration(new TrainingIteration(rounds, TrainingLoss(ml, fitted, trainingView, encoding.Task), () => model));
        return model;
    }

    /// <summary>The settings with every hyperparameter of this algorithm not given set to its default.</summary>
    private HyperparameterValues WithDefaults(HyperparameterValues given)
    {
        var values = new Dictionary<string, string>(given.All, StringComparer.Ordinal);
        foreach (var spec in Hyperparameters)
        {
            values.TryAdd(spec.Name, spec.Default);
        }

        return new HyperparameterValues(values);
    }

    /// <summary>A seeded share of the rows held out for early stopping: the rows our learners hold out for the same seed.</summary>
    private static (TrainingRow[] Training, TrainingRow[]? HeldOut) HoldOut(TrainingRow[] rows, int seed)
    {
        var (kept, held) = EarlyStoppingHoldOut.Split(rows.Length, EarlyStoppingHoldOut.DefaultFraction, seed);
        return (Array.ConvertAll(kept, row => rows[row]), Array.ConvertAll(held, row => rows[row]));
    }

    /// <summary>The mean training loss as our learners report it: log loss, or half the squared error for regression.</summary>
    private static double TrainingLoss(MLContext ml, ITransformer fitted, IDataView training, LearningTask task)
    {
        var scored = fitted.Transform(ml.Data.TakeRows(training, LossRows));
        return task switch
        {
            LearningTask.BinaryClassification => ml.BinaryClassification.Evaluate(scored, TrainingRow.FlagColumn).LogLoss,
            LearningTask.MulticlassClassification => ml.MulticlassClassification.Evaluate(scored, TrainingRow.ClassColumn).LogLoss,
            _ => ml.Regression.Evaluate(scored, TrainingRow.ValueColumn).MeanSquaredError / 2,
        };
    }
}
