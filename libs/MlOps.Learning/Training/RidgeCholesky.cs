namespace MlOps.Learning.Training;

/// <summary>
/// Ridge regression solved exactly: with centered features and target, <c>(XcᵀXc + λI) w = Xcᵀ yc</c> by Cholesky
/// factorization, and the unpenalized intercept <c>b = ȳ - x̄·w</c> (what scikit-learn's Ridge solves). For dense
/// features of moderate width, where the d×d system is cheaper than iterating.
/// </summary>
internal static class RidgeCholesky
{
    public const int MaxWidth = 2048;

    /// <summary>Returns the parameters in the objective's layout: weights, then the intercept.</summary>
    public static double[] Solve(Features.DenseFeatureMatrix features, ReadOnlySpan<double> target, double l2)
    {
        var n = features.RowCount;
        var d = features.ColumnCount;
        var means = new double[d];
        var targetMean = 0.0;
        for (var row = 0; row < n; row++)
        {
            var x = features.Row(row);
            for (var j = 0; j < d; j++)
            {
                means[j] += x[j];
            }

            targetMean += target[row];
        }

        for (var j = 0; j < d; j++)
        {
            means[j] /= n;
        }

        targetMean /= n;

        // Lower triangle of XcᵀXc and the right-hand side Xcᵀyc, from centered rows.
        var gram = new double[d * d];
        var rhs = new double[d];
        var centered = new double[d];
        for (var row = 0; row < n; row++)
        {
            var x = features.Row(row);
            for (var j = 0; j < d; j++)
            {
                centered[j] = x[j] - means[j];
            }

            var y = target[row] - targetMean;
            for (var i = 0; i < d; i++)
            {
                var ci = centered[i];
                rhs[i] += ci * y;
                var gramRow = gram.AsSpan(i * d, i + 1);
                for (var j = 0; j <= i; j++)
                {
                    gramRow[j] += ci * centered[j];
                }
            }
        }

        for (var i = 0; i < d; i++)
        {
            gram[(i * d) + i] += l2;
        }

        CholeskyInPlace(gram, d);
        var weights = SolveWithFactor(gram, d, rhs);
        var parameters = new double[d + 1];
        weights.CopyTo(parameters, 0);
        var intercept = targetMean;
        for (var j = 0; j < d; j++)
        {
            intercept -= means[j] * weights[j];
        }

        parameters[d] = intercept;
        return parameters;
    }

    /// <summary>A = L·Lᵀ, L written over A's lower triangle.</summary>
    private static void CholeskyInPlace(double[] a, int d)
    {
        for (var j = 0; j < d; j++)
        {
            var diagonal = a[(j * d) + j];
            for (var k = 0; k < j; k++)
            {
                diagonal -= a[(j * d) + k] * a[(j * d) + k];
            }

            if (!(diagonal > 0))
            {
                throw new InvalidOperationException(
                    "The ridge system is not positive definite; use a positive l2 or the lbfgs solver.");
            }

            var pivot = Math.Sqrt(diagonal);
            a[(j * d) + j] = pivot;
            for (var i = j + 1; i < d; i++)
            {
                var sum = a[(i * d) + j];
                for (var k = 0; k < j; k++)
                {
                    sum -= a[(i * d) + k] * a[(j * d) + k];
                }

                a[(i * d) + j] = sum / pivot;
            }
        }
    }

    private static double[] SolveWithFactor(double[] l, int d, double[] b)
    {
        var z = new double[d];
        for (var i = 0; i < d; i++)
        {
            var sum = b[i];
            for (var k = 0; k < i; k++)
            {
                sum -= l[(i * d) + k] * z[k];
            }

            z[i] = sum / l[(i * d) + i];
        }

        var x = new double[d];
        for (var i = d - 1; i >= 0; i--)
        {
            var sum = z[i];
            for (var k = i + 1; k < d; k++)
            {
                sum -= l[(k * d) + i] * x[k];
            }

            x[i] = sum / l[(i * d) + i];
        }

        return x;
    }
}
