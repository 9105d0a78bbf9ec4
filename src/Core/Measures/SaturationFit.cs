namespace Scar.Core.Measures;

/// <summary>
/// The reference's lower saturation fit y = a·(1 − e^(−λx)) of SCAR-SPEC §5, on its 1000-point λ grid.
/// </summary>
public static class SaturationFit
{
    /// <summary>Number of λ grid points (np.logspace(-4, 1, 1000)).</summary>
    public const int GridSize = 1000;

    private static readonly double[] Grid = BuildGrid();

    /// <summary>A copy of the λ grid: 10^(linspace(−4, 1, 1000)), built as numpy builds it.</summary>
    public static double[] LambdaGrid() => (double[])Grid.Clone();

    /// <summary>
    /// Fits y = a·(1 − e^(−λx)) from below: drops points with x ≤ 0, y ≤ 0 or NaN; for each grid λ,
    /// a_max(λ) = min_i y_i/(1 − e^(−λ x_i)); returns the first λ with the largest a_max.
    /// </summary>
    /// <exception cref="ArgumentException">x and y differ in length.</exception>
    /// <exception cref="InvalidOperationException">No point survives the filter.</exception>
    public static SaturationFitResult FitLower(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        (double[] xs, double[] ys) = Usable(x, y);
        double bestA = double.NegativeInfinity;
        double bestLambda = double.NaN;
        foreach (double lambda in Grid)
        {
            double a = AMax(xs, ys, lambda);

            // Strictly greater keeps the first maximum, as np.argmax does.
            if (a > bestA)
            {
                bestA = a;
                bestLambda = lambda;
            }
        }

        return new SaturationFitResult(bestA, bestLambda, xs.Length);
    }

    /// <summary>
    /// The closed form of <see cref="FitLower"/>: every y_i/(1 − e^(−λ x_i)) falls as λ grows, so the best λ is
    /// the grid's first, 1e-4, and a = min_i y_i/(1 − e^(−1e-4·x_i)). Gives the same numbers as the grid search.
    /// </summary>
    public static SaturationFitResult FitLowerClosedForm(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        (double[] xs, double[] ys) = Usable(x, y);
        double lambda = Grid[0];
        return new SaturationFitResult(AMax(xs, ys, lambda), lambda, xs.Length);
    }

    /// <summary>a_max(λ) = min_i y_i/(1 − e^(−λ x_i)) over the given points.</summary>
    public static double AMax(ReadOnlySpan<double> x, ReadOnlySpan<double> y, double lambda)
    {
        double a = double.PositiveInfinity;
        for (int i = 0; i < x.Length; i++)
        {
            // 1 − exp(−λx) as the reference writes it (not expm1), so the numbers match it.
            double ratio = y[i] / (1.0 - Math.Exp(-lambda * x[i]));
            if (ratio < a)
            {
                a = ratio;
            }
        }

        return a;
    }

    private static (double[] X, double[] Y) Usable(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x.Length != y.Length)
        {
            throw new ArgumentException($"x has {x.Length} points but y has {y.Length}.", nameof(y));
        }

        var xs = new List<double>(x.Length);
        var ys = new List<double>(y.Length);
        for (int i = 0; i < x.Length; i++)
        {
            // NaN fails both comparisons, so this also drops NaN.
            if (x[i] > 0 && y[i] > 0)
            {
                xs.Add(x[i]);
                ys.Add(y[i]);
            }
        }

        if (xs.Count == 0)
        {
            throw new InvalidOperationException(
                $"Saturation fit has no usable point: all {x.Length} points have x ≤ 0, y ≤ 0 or NaN. " +
                "The task's h cannot be estimated; report it as failed for this task.");
        }

        return (xs.ToArray(), ys.ToArray());
    }

    private static double[] BuildGrid()
    {
        // np.logspace(-4, 1, 1000) = power(10, linspace(-4, 1, 1000)); linspace: j·step + start, last = stop.
        const double start = -4.0;
        const double stop = 1.0;
        double step = (stop - start) / (GridSize - 1);
        double[] grid = new double[GridSize];
        for (int j = 0; j < GridSize - 1; j++)
        {
            grid[j] = Math.Pow(10.0, (j * step) + start);
        }

        grid[GridSize - 1] = Math.Pow(10.0, stop);
        return grid;
    }
}
