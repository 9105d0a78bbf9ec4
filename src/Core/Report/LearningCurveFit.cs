using Scar.Core.Numerics;

namespace Scar.Core.Report;

/// <summary>
/// The learning-curve FDS of SCAR-SPEC §5b: FDS_lc = the smallest n with acc(n) ≥ a − ε_acc on the fitted
/// acc(n) = a − b·e^(−c·n), with a percentile bootstrap interval. Null numbers come with a status saying why.
/// </summary>
/// <param name="Value">FDS_lc = ln(b/ε_acc)/c (0 when b ≤ ε_acc: flat within ε_acc); null unless <see cref="Status"/> is "ok".</param>
/// <param name="Low">2.5 % bootstrap percentile; null when the interval is not defined.</param>
/// <param name="High">97.5 % bootstrap percentile; null when unbounded (too many resamples did not saturate) or not defined.</param>
/// <param name="Status">"ok", "not_converged" (too few sizes, or the least squares did not converge) or "not_saturating" (c ≤ 0, or FDS_lc beyond 10× the largest observed n).</param>
/// <param name="A">Fitted asymptote a.</param>
/// <param name="B">Fitted b.</param>
/// <param name="C">Fitted rate c, per sample.</param>
/// <param name="EpsilonAcc">The ε_acc it was computed with.</param>
public sealed record LearningCurveFds(double? Value, double? Low, double? High, string Status, double? A, double? B, double? C, double EpsilonAcc);

/// <summary>A least-squares fit of acc(n) = a − b·e^(−c·n).</summary>
/// <param name="A">Asymptote a.</param>
/// <param name="B">Amplitude b.</param>
/// <param name="C">Rate c per sample.</param>
/// <param name="Converged">Whether Levenberg–Marquardt met its tolerance.</param>
/// <param name="Rss">Residual sum of squares.</param>
public sealed record ExponentialFit(double A, double B, double C, bool Converged, double Rss);

/// <summary>Fits saturating learning curves and derives FDS_lc with a bootstrap over repeats (SCAR-SPEC §5b).</summary>
public static class LearningCurveFit
{
    /// <summary>Status of a usable estimate.</summary>
    public const string Ok = "ok";

    /// <summary>Status when the fit is underdetermined or did not converge.</summary>
    public const string NotConverged = "not_converged";

    /// <summary>Status when the curve has not started to saturate within reach of the data.</summary>
    public const string NotSaturating = "not_saturating";

    /// <summary>FDS_lc beyond this multiple of the largest observed n is reported as not saturating.</summary>
    public const double ExtrapolationLimit = 10;

    private const int MaxIterations = 200;

    // Range of the scaled rate u = c·max(n).
    private const double MinRate = 1e-2, MaxRate = 1e4;

    /// <summary>
    /// Least squares of acc(n) = a − b·e^(−c·n): a log grid over c with (a, b) solved linearly at each c, then
    /// Levenberg–Marquardt on (a, b, c) from the best grid point. Null when fewer than 3 distinct sizes are given.
    /// </summary>
    public static ExponentialFit? Fit(ReadOnlySpan<double> n, ReadOnlySpan<double> acc)
    {
        if (n.Length != acc.Length)
        {
            throw new ArgumentException("n and acc differ in length");
        }

        double nMax = 0;
        var distinct = new HashSet<double>();
        for (int i = 0; i < n.Length; i++)
        {
            if (!double.IsFinite(n[i]) || !double.IsFinite(acc[i]) || n[i] < 0)
            {
                return null;
            }

            nMax = Math.Max(nMax, n[i]);
            distinct.Add(n[i]);
        }

        if (distinct.Count < 3 || nMax <= 0)
        {
            return null;
        }

        // Work in x = n / nMax, so the rate u = c·nMax is of order 1.
        var x = new double[n.Length];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = n[i] / nMax;
        }

        double bestU = double.NaN, bestA = 0, bestB = 0, bestRss = double.PositiveInfinity;
        const int grid = 121;
        for (int g = 0; g < grid; g++)
        {
            double u = MinRate * Math.Pow(MaxRate / MinRate, (double)g / (grid - 1));
            if (LinearAb(x, acc, u, out double a, out double b) is { } rss && rss < bestRss)
            {
                (bestU, bestA, bestB, bestRss) = (u, a, b, rss);
            }
        }

        if (double.IsNaN(bestU))
        {
            return null;
        }

        (double A, double B, double U, bool converged, double finalRss) = Marquardt(x, acc, bestA, bestB, bestU, bestRss);
        return new ExponentialFit(A, B, U / nMax, converged, finalRss);
    }

    /// <summary>FDS_lc of a fit and its status, before any bootstrap.</summary>
    public static (double? Value, string Status) Size(ExponentialFit? fit, double epsilonAcc, double largestN)
    {
        if (fit is null || !fit.Converged || !double.IsFinite(fit.A) || !double.IsFinite(fit.B) || !double.IsFinite(fit.C))
        {
            return (null, NotConverged);
        }

        if (fit.B <= epsilonAcc)
        {
            // Within ε_acc of the asymptote at every n (flat, or a falling curve): saturated from the start.
            return (0, Ok);
        }

        if (fit.C <= 0)
        {
            return (null, NotSaturating);
        }

        double value = Math.Log(fit.B / epsilonAcc) / fit.C;
        return value > ExtrapolationLimit * largestN || !double.IsFinite(value) ? (null, NotSaturating) : (value, Ok);
    }

    /// <summary>
    /// FDS_lc of several targets measured on the same probes (the whole probe and each one-vs-rest task), with
    /// a percentile bootstrap (2.5–97.5 %) that resamples the probes within each group (ratio), with replacement; a group with
    /// fewer than 3 probes (r = 1, 2) has no spread of its own, so its points get the fit plus a residual drawn from all points.
    /// </summary>
    /// <param name="groups">Group (ratio) of each probe.</param>
    /// <param name="n">Subset size of each probe.</param>
    /// <param name="targets">targets[t][i]: accuracy of target t on probe i.</param>
    /// <param name="epsilonAcc">ε_acc.</param>
    /// <param name="resamples">Bootstrap resamples; 0 for none.</param>
    /// <param name="seed">Seed of the resampling.</param>
    public static LearningCurveFds[] Estimate(int[] groups, double[] n, IReadOnlyList<double[]> targets, double epsilonAcc, int resamples, ulong seed)
    {
        double largest = n.Length == 0 ? 0 : n.Max();
        var result = new LearningCurveFds[targets.Count];
        var fits = new ExponentialFit?[targets.Count];
        var sizes = new (double? Value, string Status)[targets.Count];
        for (int t = 0; t < targets.Count; t++)
        {
            fits[t] = Fit(n, targets[t]);
            sizes[t] = Size(fits[t], epsilonAcc, largest);
        }

        var byGroup = Enumerable.Range(0, groups.Length).GroupBy(i => groups[i]).OrderBy(g => g.Key).Select(g => g.ToArray()).ToArray();
        var small = byGroup.SelectMany(g => g.Select(_ => g.Length < 3)).ToArray();
        var residuals = targets.Select((acc, t) => fits[t] is { } f ? acc.Select((y, i) => y - Predict(f, n[i])).ToArray() : []).ToArray();
        var samples = Enumerable.Range(0, targets.Count).Select(_ => new List<double>(resamples)).ToArray();
        var rn = new double[n.Length];
        var racc = new double[n.Length];
        var picked = new int[n.Length];
        for (int s = 0; s < resamples; s++)
        {
            var random = new DeterministicRandom(DeterministicRandom.Derive(seed, "bootstrap", s));
            int p = 0;
            foreach (var members in byGroup)
            {
                for (int j = 0; j < members.Length; j++)
                {
                    picked[p++] = members[random.NextInt(members.Length)];
                }
            }

            for (int t = 0; t < targets.Count; t++)
            {
                var fit = fits[t];
                if (sizes[t].Status != Ok)
                {
                    continue;
                }

                for (int i = 0; i < p; i++)
                {
                    rn[i] = n[picked[i]];
                    racc[i] = targets[t][picked[i]];
                    if (small[i])
                    {
                        // A ratio with fewer than 3 repeats has no spread of its own to resample: add a pooled residual.
                        racc[i] = Predict(fit!, n[picked[i]]) + residuals[t][random.NextInt(n.Length)];
                    }
                }

                var (value, status) = Size(Fit(rn.AsSpan(0, p), racc.AsSpan(0, p)), epsilonAcc, largest);
                if (status == Ok)
                {
                    samples[t].Add(value!.Value);
                }
                else if (status == NotSaturating)
                {
                    samples[t].Add(double.PositiveInfinity);
                }
            }
        }

        for (int t = 0; t < targets.Count; t++)
        {
            var fit = fits[t];
            double? low = null, high = null;
            if (sizes[t].Status == Ok && samples[t].Count > 0)
            {
                samples[t].Sort();
                low = Finite(Percentile(samples[t], 0.025));
                high = Finite(Percentile(samples[t], 0.975));
            }

            result[t] = new LearningCurveFds(sizes[t].Value, low, high, sizes[t].Status, fit?.A, fit?.B, fit?.C, epsilonAcc);
        }

        return result;
    }

    /// <summary>acc(n) of a fit.</summary>
    public static double Predict(ExponentialFit fit, double n) => fit.A - (fit.B * Math.Exp(-fit.C * n));

    /// <summary>Linear-interpolated percentile of sorted values (numpy's default); infinities propagate.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double q)
    {
        double position = q * (sorted.Count - 1);
        int lo = (int)Math.Floor(position);
        int hi = Math.Min(lo + 1, sorted.Count - 1);
        double w = position - lo;
        if (double.IsPositiveInfinity(sorted[hi]))
        {
            return w == 0 ? sorted[lo] : double.PositiveInfinity;
        }

        return sorted[lo] + (w * (sorted[hi] - sorted[lo]));
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;

    // (a, b) minimizing Σ (y − a + b·e^(−u x))² at fixed u; null when the two columns are collinear.
    private static double? LinearAb(double[] x, ReadOnlySpan<double> y, double u, out double a, out double b)
    {
        double m = x.Length, sf = 0, sff = 0, sy = 0, sfy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double f = Math.Exp(-u * x[i]);
            sf += f;
            sff += f * f;
            sy += y[i];
            sfy += f * y[i];
        }

        double det = (m * sff) - (sf * sf);
        if (!(Math.Abs(det) > 1e-12 * m * Math.Max(sff, 1e-300)))
        {
            a = b = double.NaN;
            return null;
        }

        // y ≈ a + β f with β = −b.
        double beta = ((m * sfy) - (sf * sy)) / det;
        a = (sy - (beta * sf)) / m;
        b = -beta;
        return Rss(x, y, a, b, u);
    }

    private static double Rss(double[] x, ReadOnlySpan<double> y, double a, double b, double u)
    {
        double rss = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double r = y[i] - (a - (b * Math.Exp(-u * x[i])));
            rss += r * r;
        }

        return rss;
    }

    private static (double A, double B, double U, bool Converged, double Rss) Marquardt(double[] x, ReadOnlySpan<double> y, double a, double b, double u, double rss)
    {
        double lambda = 1e-3;
        Span<double> jtj = stackalloc double[9];
        Span<double> jtr = stackalloc double[3];
        Span<double> step = stackalloc double[3];
        double scale = Math.Max(rss, 1e-300);
        for (int iteration = 0; iteration < MaxIterations; iteration++)
        {
            jtj.Clear();
            jtr.Clear();
            for (int i = 0; i < x.Length; i++)
            {
                double e = Math.Exp(-u * x[i]);
                double r = y[i] - (a - (b * e));
                // Jacobian of the model: ∂/∂a = 1, ∂/∂b = −e, ∂/∂u = b·x·e.
                double j0 = 1, j1 = -e, j2 = b * x[i] * e;
                jtj[0] += j0 * j0; jtj[1] += j0 * j1; jtj[2] += j0 * j2;
                jtj[4] += j1 * j1; jtj[5] += j1 * j2; jtj[8] += j2 * j2;
                jtr[0] += j0 * r; jtr[1] += j1 * r; jtr[2] += j2 * r;
            }

            jtj[3] = jtj[1]; jtj[6] = jtj[2]; jtj[7] = jtj[5];
            double gradient = Math.Sqrt((jtr[0] * jtr[0]) + (jtr[1] * jtr[1]) + (jtr[2] * jtr[2]));
            if (gradient <= 1e-12 * Math.Sqrt(scale) || rss <= 1e-30)
            {
                return (a, b, u, true, rss);
            }

            bool improved = false;
            while (lambda < 1e12)
            {
                if (!Solve(jtj, jtr, lambda, step))
                {
                    lambda *= 10;
                    continue;
                }

                // u stays on the grid's range: below it the curve is a straight line over the data (not saturating), above it flat.
                double na = a + step[0], nb = b + step[1], nu = Math.Clamp(u + step[2], MinRate, MaxRate);
                double nrss = Rss(x, y, na, nb, nu);
                if (double.IsFinite(nrss) && nrss <= rss)
                {
                    double relative = (rss - nrss) / Math.Max(rss, 1e-300);
                    double stepSize = Math.Abs(step[0]) + Math.Abs(step[1]) + Math.Abs(step[2]);
                    (a, b, u, rss) = (na, nb, nu, nrss);
                    lambda = Math.Max(lambda / 10, 1e-12);
                    improved = true;
                    if (relative < 1e-12 || stepSize < 1e-12 * (1 + Math.Abs(a) + Math.Abs(b) + Math.Abs(u)))
                    {
                        return (a, b, u, true, rss);
                    }

                    break;
                }

                lambda *= 10;
            }

            if (!improved)
            {
                // No step lowers the residual: a (local) minimum, converged unless the curvature is degenerate.
                return (a, b, u, double.IsFinite(rss), rss);
            }
        }

        return (a, b, u, false, rss);
    }

    // Solves (JᵀJ + λ·diag(JᵀJ)) δ = Jᵀr by Cramer's rule on the 3×3 system.
    private static bool Solve(ReadOnlySpan<double> jtj, ReadOnlySpan<double> jtr, double lambda, Span<double> step)
    {
        Span<double> m = stackalloc double[9];
        jtj.CopyTo(m);
        for (int d = 0; d < 3; d++)
        {
            m[(d * 3) + d] += lambda * Math.Max(jtj[(d * 3) + d], 1e-12);
        }

        double det = Det(m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8]);
        if (!(Math.Abs(det) > 1e-300) || !double.IsFinite(det))
        {
            return false;
        }

        step[0] = Det(jtr[0], m[1], m[2], jtr[1], m[4], m[5], jtr[2], m[7], m[8]) / det;
        step[1] = Det(m[0], jtr[0], m[2], m[3], jtr[1], m[5], m[6], jtr[2], m[8]) / det;
        step[2] = Det(m[0], m[1], jtr[0], m[3], m[4], jtr[1], m[6], m[7], jtr[2]) / det;
        return double.IsFinite(step[0]) && double.IsFinite(step[1]) && double.IsFinite(step[2]);
    }

    private static double Det(double a, double b, double c, double d, double e, double f, double g, double h, double i) =>
        (a * ((e * i) - (f * h))) - (b * ((d * i) - (f * g))) + (c * ((d * h) - (e * g)));
}
