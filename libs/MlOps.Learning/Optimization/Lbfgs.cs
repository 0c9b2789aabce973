using System.Numerics.Tensors;

namespace MlOps.Learning.Optimization;

/// <summary>
/// Limited-memory BFGS (Nocedal and Wright, Numerical Optimization, 2nd ed.): the two-loop recursion over the last m
/// correction pairs gives the search direction, and a line search satisfying the strong Wolfe conditions (Algorithms
/// 3.5 and 3.6, cubic interpolation in the zoom) gives the step. Near the optimum the objective's changes sink below
/// its rounding error; there the search also accepts Hager and Zhang's approximate Wolfe conditions, which look only at
/// slopes, so the gradient can keep shrinking after the objective has stopped telling points apart. Every buffer is
/// allocated once per minimization.
/// </summary>
public static class Lbfgs
{
    private const double SufficientDecrease = 1e-4;
    private const double Curvature = 0.9;
    private const int MaxLineSearchEvaluations = 40;
    private const double RoundingLevel = 1e-12;

    /// <summary>Minimizes <paramref name="function"/> from <paramref name="x"/>, which holds the minimizer on return.</summary>
    public static LbfgsResult Minimize(
        IDifferentiableFunction function,
        Span<double> x,
        LbfgsOptions options,
        Action<int, double>? onIteration = null,
        CancellationToken cancellationToken = default)
    {
        options.Validate();
        var n = function.Dimension;
        var m = options.HistorySize;
        var s = new double[m * n];
        var y = new double[m * n];
        var rho = new double[m];
        var alpha = new double[m];
        var gradient = new double[n];
        var direction = new double[n];
        var trialX = new double[n];
        var trialGradient = new double[n];
        var history = new double[options.ImprovementWindow + 1];

        var evaluations = 1;
        var f = function.Evaluate(x, gradient);
        history[0] = f;
        var stored = 0;
        var newest = -1;

        for (var iteration = 1; iteration <= options.MaxIterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Math.Abs(TensorPrimitives.MaxMagnitude(gradient)) <= options.GradientTolerance)
            {
                return new LbfgsResult(f, iteration - 1, evaluations, "gradient below tolerance");
            }

            // Two-loop recursion: direction = -H·g.
            gradient.AsSpan().CopyTo(direction);
            for (var k = 0; k < stored; k++)
            {
                var i = (newest - k + m) % m;
                alpha[i] = rho[i] * TensorPrimitives.Dot(s.AsSpan(i * n, n), direction);
                TensorPrimitives.MultiplyAdd(y.AsSpan(i * n, n), -alpha[i], direction, direction);
            }

            var gamma = stored == 0
                ? 1.0 / Math.Max(TensorPrimitives.Norm(gradient), 1e-300)
                : TensorPrimitives.Dot(s.AsSpan(newest * n, n), y.AsSpan(newest * n, n))
                  / TensorPrimitives.Dot(y.AsSpan(newest * n, n), y.AsSpan(newest * n, n));
            TensorPrimitives.Multiply(direction, gamma, direction);
            for (var k = stored - 1; k >= 0; k--)
            {
                var i = (newest - k + m) % m;
                var beta = rho[i] * TensorPrimitives.Dot(y.AsSpan(i * n, n), direction);
                TensorPrimitives.MultiplyAdd(s.AsSpan(i * n, n), alpha[i] - beta, direction, direction);
            }

            TensorPrimitives.Negate(direction, direction);
            var slope = TensorPrimitives.Dot(gradient, direction);
            if (slope >= 0)
            {
                // Not a descent direction (curvature information gone stale): restart from steepest descent.
                TensorPrimitives.Negate(gradient, direction);
                TensorPrimitives.Multiply(direction, 1.0 / Math.Max(TensorPrimitives.Norm(gradient), 1e-300), direction);
                slope = TensorPrimitives.Dot(gradient, direction);
                stored = 0;
            }

            var search = new LineSearch(function, x, direction, trialX, trialGradient);
            var (step, trialF, used) = search.Run(f, slope);
            evaluations += used;
            if (step == 0)
            {
                return new LbfgsResult(f, iteration - 1, evaluations, "line search made no progress");
            }

            // New correction pair: s = step·d, y = g(new) - g(old).
            newest = (newest + 1) % m;
            var sNew = s.AsSpan(newest * n, n);
            var yNew = y.AsSpan(newest * n, n);
            TensorPrimitives.Subtract(trialX, x, sNew);
            TensorPrimitives.Subtract(trialGradient, gradient, yNew);
            var sy = TensorPrimitives.Dot(sNew, yNew);
            if (sy > 1e-12 * TensorPrimitives.Norm(sNew) * TensorPrimitives.Norm(yNew))
            {
                rho[newest] = 1.0 / sy;
                stored = Math.Min(stored + 1, m);
            }
            else
            {
                newest = (newest - 1 + m) % m;
            }

            trialX.AsSpan().CopyTo(x);
            trialGradient.AsSpan().CopyTo(gradient);
            f = trialF;
            onIteration?.Invoke(iteration, f);

            // Mean relative improvement over the last window: f(k - window) sits in the slot after f(k)'s.
            history[iteration % history.Length] = f;
            if (options.Tolerance > 0 && iteration >= options.ImprovementWindow)
            {
                var oldest = history[(iteration + 1) % history.Length];
                var improvement = (oldest - f) / (Math.Max(Math.Abs(f), 1e-300) * options.ImprovementWindow);
                if (improvement < options.Tolerance)
                {
                    return new LbfgsResult(f, iteration, evaluations, "mean relative improvement below tolerance");
                }
            }
        }

        return new LbfgsResult(f, options.MaxIterations, evaluations, "iteration limit reached");
    }

    /// <summary>A strong-Wolfe line search along one direction; evaluates into the trial buffers.</summary>
    private readonly ref struct LineSearch(
        IDifferentiableFunction function, ReadOnlySpan<double> x, ReadOnlySpan<double> direction, Span<double> trialX, Span<double> trialGradient)
    {
        private readonly IDifferentiableFunction _function = function;
        private readonly ReadOnlySpan<double> _x = x;
        private readonly ReadOnlySpan<double> _direction = direction;
        private readonly Span<double> _trialX = trialX;
        private readonly Span<double> _trialGradient = trialGradient;

        /// <summary>Returns the accepted step (0 if none), the objective there (trial buffers hold its point and gradient).</summary>
        public (double Step, double Objective, int Evaluations) Run(double f0, double slope0)
        {
            var evaluations = 0;
            double previousStep = 0, previousF = f0, previousSlope = slope0;
            var step = 1.0;
            while (evaluations < MaxLineSearchEvaluations)
            {
                var (f, slope) = Evaluate(step);
                evaluations++;
                if (!double.IsFinite(f))
                {
                    step = (previousStep + step) / 2;
                    continue;
                }

                if (IsApproximatelyWolfe(f0, slope0, f, slope))
                {
                    return (step, f, evaluations);
                }

                if (f > f0 + (SufficientDecrease * step * slope0) || (evaluations > 1 && f >= previousF))
                {
                    return Zoom(f0, slope0, previousStep, previousF, previousSlope, step, f, slope, evaluations);
                }

                if (Math.Abs(slope) <= -Curvature * slope0)
                {
                    return (step, f, evaluations);
                }

                if (slope >= 0)
                {
                    return Zoom(f0, slope0, step, f, slope, previousStep, previousF, previousSlope, evaluations);
                }

                previousStep = step;
                previousF = f;
                previousSlope = slope;
                step *= 2;
            }

            return Accept(previousStep, previousF, evaluations);
        }

        private (double Step, double Objective, int Evaluations) Zoom(
            double f0, double slope0, double low, double fLow, double slopeLow, double high, double fHigh, double slopeHigh, int evaluations)
        {
            while (evaluations < MaxLineSearchEvaluations)
            {
                var step = CubicMinimizer(low, fLow, slopeLow, high, fHigh, slopeHigh);
                var (f, slope) = Evaluate(step);
                evaluations++;
                if (IsApproximatelyWolfe(f0, slope0, f, slope))
                {
                    return (step, f, evaluations);
                }

                if (f > f0 + (SufficientDecrease * step * slope0) || f >= fLow)
                {
                    (high, fHigh, slopeHigh) = (step, f, slope);
                }
                else
                {
                    if (Math.Abs(slope) <= -Curvature * slope0)
                    {
                        return (step, f, evaluations);
                    }

                    if (slope * (high - low) >= 0)
                    {
                        (high, fHigh, slopeHigh) = (low, fLow, slopeLow);
                    }

                    (low, fLow, slopeLow) = (step, f, slope);
                }

                if (Math.Abs(high - low) <= 1e-16 * Math.Max(1.0, Math.Abs(low)))
                {
                    break;
                }
            }

            return Accept(low, fLow, evaluations);
        }

        /// <summary>
        /// Hager–Zhang's approximate Wolfe test, used only where the objective differs from f(0) by no more than its
        /// rounding level: the slope has risen to at least the curvature fraction of the initial one, and not past the
        /// mirror of the sufficient-decrease line.
        /// </summary>
        private static bool IsApproximatelyWolfe(double f0, double slope0, double f, double slope) =>
            Math.Abs(f - f0) <= RoundingLevel * Math.Abs(f0)
            && slope >= Curvature * slope0
            && slope <= ((2 * SufficientDecrease) - 1) * slope0;

        /// <summary>Settles for the best point found when the conditions could not both be met within the budget.</summary>
        private (double Step, double Objective, int Evaluations) Accept(double step, double f, int evaluations)
        {
            if (step == 0)
            {
                return (0, f, evaluations);
            }

            Evaluate(step);
            return (step, f, evaluations + 1);
        }

        private (double Objective, double Slope) Evaluate(double step)
        {
            TensorPrimitives.MultiplyAdd(_direction, step, _x, _trialX);
            var f = _function.Evaluate(_trialX, _trialGradient);
            return (f, TensorPrimitives.Dot(_trialGradient, _direction));
        }

        /// <summary>The minimizer of the cubic through both ends' values and slopes, kept safely inside the interval.</summary>
        private static double CubicMinimizer(double a, double fa, double ga, double b, double fb, double gb)
        {
            var d1 = ga + gb - (3 * (fa - fb) / (a - b));
            var discriminant = (d1 * d1) - (ga * gb);
            var lower = Math.Min(a, b);
            var upper = Math.Max(a, b);
            var margin = 0.1 * (upper - lower);
            if (discriminant >= 0)
            {
                var d2 = Math.Sign(b - a) * Math.Sqrt(discriminant);
                var t = b - ((b - a) * (gb + d2 - d1) / (gb - ga + (2 * d2)));
                if (double.IsFinite(t))
                {
                    return Math.Clamp(t, lower + margin, upper - margin);
                }
            }

            return (a + b) / 2;
        }
    }
}
