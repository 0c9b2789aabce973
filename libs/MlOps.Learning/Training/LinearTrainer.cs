using MlOps.Learning.Data;
using MlOps.Learning.Features;
using MlOps.Learning.Models;
using MlOps.Learning.Optimization;

namespace MlOps.Learning.Training;

/// <summary>Trains logistic regression (binary or multinomial) and ridge linear regression on a table.</summary>
public static class LinearTrainer
{
    public const string LogisticRegression = "logistic-regression";
    public const string LinearRegression = "linear-regression";

    /// <summary>
    /// Fits the featurizer on <paramref name="table"/>'s other columns and the learner on <paramref name="target"/>.
    /// The task follows the target unless given: numeric means regression, anything else classification. Rows whose
    /// target is missing are left out. <paramref name="onIteration"/> hears of every L-BFGS iteration (the exact
    /// Cholesky solution has none).
    /// </summary>
    public static Model Train(
        DataTable table,
        string target,
        LearningTask? task = null,
        LinearTrainingOptions? options = null,
        Action<TrainingIteration>? onIteration = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new LinearTrainingOptions();
        options.Validate();
        var (encoding, inputs) = TargetEncoding.Prepare(table, target, task);

        var featurizer = Featurizer.Fit(inputs, options.Featurizer);
        var features = featurizer.Transform(inputs);
        var outputs = LinearObjective.OutputsFor(encoding);
        var block = features.ColumnCount + 1;

        double[] parameters;
        LbfgsResult result;
        if (UseCholesky(encoding, features, options))
        {
            parameters = RidgeCholesky.Solve((DenseFeatureMatrix)features, encoding.Values, options.L2);
            result = new LbfgsResult(double.NaN, 0, 0, "exact solution (cholesky)");
        }
        else
        {
            var minimizing = new double[outputs * block];
            Action<int, double>? report = onIteration is null
                ? null
                : (iteration, objective) => onIteration(new TrainingIteration(
                    iteration,
                    objective,
                    () => Build(featurizer, encoding, target, options, minimizing, new LbfgsResult(objective, iteration, 0, "in progress"), features.RowCount)));
            result = Lbfgs.Minimize(
                new LinearObjective(features, encoding, options.L2), minimizing, options.Lbfgs, report, cancellationToken);
            parameters = minimizing;
        }

        return Build(featurizer, encoding, target, options, parameters, result, features.RowCount);
    }

    private static Model Build(
        Featurizer featurizer,
        TargetEncoding encoding,
        string target,
        LinearTrainingOptions options,
        ReadOnlySpan<double> parameters,
        LbfgsResult result,
        int trainingRows)
    {
        var width = featurizer.Width;
        var outputs = LinearObjective.OutputsFor(encoding);
        var block = width + 1;
        var weights = new double[outputs * width];
        var intercepts = new double[outputs];
        for (var k = 0; k < outputs; k++)
        {
            parameters.Slice(k * block, width).CopyTo(weights.AsSpan(k * width));
            intercepts[k] = parameters[(k * block) + width];
        }

        var algorithm = encoding.Task == LearningTask.Regression ? LinearRegression : LogisticRegression;
        var metadata = new TrainingMetadata(
            ModelFile.LibraryVersion,
            options.ToParameters(),
            options.Seed,
            options.DataSha256,
            trainingRows,
            result.Iterations,
            result.StopReason);
        return new Model(
            algorithm,
            encoding.Task,
            target,
            encoding.Classes,
            featurizer,
            new LinearPredictor(outputs, width, weights, intercepts),
            metadata);
    }

    private static bool UseCholesky(TargetEncoding encoding, FeatureMatrix features, LinearTrainingOptions options)
    {
        if (encoding.Task != LearningTask.Regression || options.Solver == LinearSolver.Lbfgs)
        {
            return false;
        }

        var fits = features is DenseFeatureMatrix && features.ColumnCount <= RidgeCholesky.MaxWidth;
        if (options.Solver == LinearSolver.Cholesky && !fits)
        {
            throw new ArgumentException(
                $"The cholesky solver needs dense features at most {RidgeCholesky.MaxWidth} wide; these are {features.ColumnCount} wide" +
                (features is DenseFeatureMatrix ? "." : " and sparse (text). Use the lbfgs solver."));
        }

        return fits;
    }
}
