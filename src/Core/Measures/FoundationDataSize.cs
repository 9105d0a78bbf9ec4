namespace Scar.Core.Measures;

/// <summary>Per-task and total Foundation Data Size (SCAR-SPEC §5).</summary>
public static class FoundationDataSize
{
    /// <summary>Default δ, ε and δ_E of SCAR-SPEC §5.</summary>
    public const double DefaultDelta = 0.01;

    /// <summary>Default Bonferroni order M.</summary>
    public const int DefaultOrder = 3;

    /// <summary>Width of Brent's bracket above its lower end.</summary>
    public const double BracketWidth = 30.0;

    /// <summary>FDS_c = ln(h/δ)/(2ε²): the per-task Hoeffding sample size.</summary>
    public static double PerTask(double h, double delta = 0.01, double epsilon = 0.01)
        => Math.Log(h / delta) / (2.0 * epsilon * epsilon);

    /// <summary>
    /// ρ = max(e, (1 − train accuracy)/(1 − mean authenticity)), both at r = 1; e when mean authenticity is 1.
    /// </summary>
    public static double Rho(double trainAccuracyAtR1, double meanAuthenticityAtR1)
    {
        if (meanAuthenticityAtR1 >= 1.0)
        {
            return Math.E;
        }

        double ratio = (1.0 - trainAccuracyAtR1) / (1.0 - meanAuthenticityAtR1);

        // Math.Max would propagate a NaN ratio; the reference's max(e, …) keeps e only when the ratio is smaller.
        return ratio > Math.E ? ratio : Math.E;
    }

    /// <summary>
    /// e_1 … e_order of <paramref name="h"/> (index 0 = e_1) by the exact O(k·M) recurrence
    /// e_m ← e_m + h_c·e_(m−1). e_m = 0 for m &gt; k.
    /// </summary>
    public static double[] ElementarySymmetric(ReadOnlySpan<double> h, int order)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(order, 1);

        // e[0] = e_0 = 1; e[m] = e_m.
        double[] e = new double[order + 1];
        e[0] = 1.0;
        foreach (double value in h)
        {
            // Downwards so e[m − 1] is still the value before this h was added.
            for (int m = order; m >= 1; m--)
            {
                e[m] += value * e[m - 1];
            }
        }

        return e[1..];
    }

    /// <summary>
    /// ln e_1 … ln e_order of non-negative <paramref name="h"/> (index 0 = ln e_1), computed on h / max h so no
    /// intermediate overflows: ln e_m = m·ln(max h) + ln e_m(h / max h). −∞ where e_m = 0 (m &gt; k).
    /// </summary>
    public static double[] ElementarySymmetricLog(ReadOnlySpan<double> h, int order)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(order, 1);
        double max = 0;
        foreach (double value in h)
        {
            if (!(value >= 0) || double.IsInfinity(value))
            {
                throw new ArgumentException("h must be finite and non-negative.", nameof(h));
            }

            max = Math.Max(max, value);
        }

        double[] result = new double[order];
        if (max == 0)
        {
            Array.Fill(result, double.NegativeInfinity);
            return result;
        }

        double[] scaled = new double[h.Length];
        for (int i = 0; i < h.Length; i++)
        {
            scaled[i] = h[i] / max;
        }

        double[] e = ElementarySymmetric(scaled, order);
        double logMax = Math.Log(max);
        for (int m = 1; m <= order; m++)
        {
            result[m - 1] = (m * logMax) + Math.Log(e[m - 1]);
        }

        return result;
    }

    /// <summary>
    /// Total FDS: solves Σ_(m=1..M) (−1)^(m+1)·e_m(h)·e^(−2mx) = δ_E with Brent's method on [lo, lo + 30],
    /// lo = max(ln(max h)/2, 1e-3), evaluated in log space; FDS = ln(ρ)·x/ε². Without a bracketed root, falls
    /// back to Σ_c FDS_c and sets <see cref="FdsResult.Fallback"/> (X = NaN).
    /// </summary>
    /// <exception cref="ArgumentException">h is empty or holds a non-positive / non-finite value, or a parameter is out of range.</exception>
    public static FdsResult Total(ReadOnlySpan<double> h, double rho, double delta = 0.01, double epsilon = 0.01, double deltaE = 0.01, int order = 3)
    {
        if (h.IsEmpty)
        {
            throw new ArgumentException("h is empty: at least one task is needed.", nameof(h));
        }

        double max = double.NegativeInfinity;
        for (int i = 0; i < h.Length; i++)
        {
            if (!(h[i] > 0) || double.IsInfinity(h[i]))
            {
                throw new ArgumentException($"h[{i}] = {h[i]}: every h must be finite and > 0.", nameof(h));
            }

            max = Math.Max(max, h[i]);
        }

        if (!(rho >= 1.0) || double.IsInfinity(rho))
        {
            throw new ArgumentOutOfRangeException(nameof(rho), rho, "rho must be finite and ≥ 1.");
        }

        if (!(delta > 0 && delta < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "delta must be in (0, 1).");
        }

        if (!(epsilon > 0) || double.IsInfinity(epsilon))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be finite and > 0.");
        }

        if (!(deltaE > 0 && deltaE < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(deltaE), deltaE, "deltaE must be in (0, 1).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(order, 1);

        double[] perTask = new double[h.Length];
        double perTaskSum = 0;
        for (int i = 0; i < h.Length; i++)
        {
            perTask[i] = PerTask(h[i], delta, epsilon);
            perTaskSum += perTask[i];
        }

        double[] logS = ElementarySymmetricLog(h, order);
        double lo = Math.Max(Math.Log(max) / 2.0, 1e-3);
        double? root = Brent.FindRoot(x => BonferroniResidual(logS, x, deltaE), lo, lo + BracketWidth);
        if (root is not double x)
        {
            return new FdsResult(double.NaN, perTaskSum, perTask, true, rho);
        }

        return new FdsResult(x, Math.Log(rho) * x / (epsilon * epsilon), perTask, false, rho);
    }

    /// <summary>
    /// Σ_(m=1..M) (−1)^(m+1)·exp(ln S_m − 2mx) − δ_E, with <paramref name="logS"/>[m − 1] = ln S_m.
    /// </summary>
    public static double BonferroniResidual(ReadOnlySpan<double> logS, double x, double deltaE)
    {
        double sum = 0;
        for (int m = 1; m <= logS.Length; m++)
        {
            // Each term is formed in log space: S_m alone can overflow, S_m·e^(−2mx) near the root cannot.
            double term = Math.Exp(logS[m - 1] - (2.0 * m * x));
            sum += (m % 2 == 1) ? term : -term;
        }

        return sum - deltaE;
    }
}
