namespace Scar.Core.Measures;

/// <summary>
/// The per-task SCAR measures of SCAR-SPEC §3–§4, computed from a probe's training-set logits and labels,
/// exactly as the reference implementation computes them (numpy/scipy semantics noted where they matter).
/// </summary>
public static class ScarMeasures
{
    /// <summary>Number of equal-width histogram bins of the coverage JSD.</summary>
    public const int CoverageBins = 100;

    /// <summary>The floor the reference adds to both densities before normalizing them.</summary>
    public const double DensityFloor = 1e-12;

    private static readonly double InvSqrt2Pi = 1.0 / Math.Sqrt(2.0 * Math.PI);

    /// <summary>
    /// Computes the per-task measures and the training accuracy of one probe on one (sub)set.
    /// </summary>
    /// <param name="logits">n×k logits, row-major.</param>
    /// <param name="n">Number of samples (≥ 1).</param>
    /// <param name="k">Number of classes (≥ 2).</param>
    /// <param name="labels">n labels in [0, k).</param>
    /// <param name="ratio">Down-sampling ratio r ≥ 1.</param>
    /// <exception cref="ArgumentException">Shapes disagree, a label is out of range, a logit is NaN, or r &lt; 1.</exception>
    public static SubsetMeasures Compute(ReadOnlySpan<double> logits, int n, int k, ReadOnlySpan<int> labels, double ratio)
    {
        ValidateShape(logits.Length, n, k, labels, ratio);
        for (int i = 0; i < logits.Length; i++)
        {
            if (double.IsNaN(logits[i]))
            {
                throw new ArgumentException($"logit {i} (row {i / k}, column {i % k}) is NaN.", nameof(logits));
            }
        }

        int[] predictions = new int[n];
        for (int i = 0; i < n; i++)
        {
            predictions[i] = ArgMax(logits.Slice(i * k, k));
        }

        return ComputeFromPredictions(logits, n, k, labels, predictions, ratio);
    }

    /// <summary>
    /// Float32 overload: the probe produces float32 logits; each value is widened to double exactly, so the
    /// result equals <see cref="Compute(ReadOnlySpan{double}, int, int, ReadOnlySpan{int}, double)"/> on the widened values.
    /// </summary>
    public static SubsetMeasures Compute(ReadOnlySpan<float> logits, int n, int k, ReadOnlySpan<int> labels, double ratio)
    {
        double[] widened = new double[logits.Length];
        for (int i = 0; i < logits.Length; i++)
        {
            widened[i] = logits[i];
        }

        return Compute(widened, n, k, labels, ratio);
    }

    /// <summary>The hypothesis-space proxy h = (1 − C)·exp(2·S·(R − A)²) of SCAR-SPEC §5.</summary>
    public static double Hypothesis(TaskMeasures m)
    {
        ArgumentNullException.ThrowIfNull(m);
        double d = m.Richness - m.Authenticity;
        return (1.0 - m.Coverage) * Math.Exp(2.0 * m.Scale * d * d);
    }

    /// <summary>
    /// Index of the first maximum of <paramref name="row"/> (numpy argmax: ties go to the lowest index).
    /// </summary>
    public static int ArgMax(ReadOnlySpan<double> row)
    {
        if (row.IsEmpty)
        {
            throw new ArgumentException("row is empty.", nameof(row));
        }

        int best = 0;
        for (int j = 1; j < row.Length; j++)
        {
            // Strictly greater keeps the first of equal maxima, as numpy does.
            if (row[j] > row[best])
            {
                best = j;
            }
        }

        return best;
    }

    /// <summary>
    /// Coverage of task <paramref name="c"/> (SCAR-SPEC §4): mean over the non-empty groups of 1 − JSD, where the
    /// groups are the positive true-positive scores logit_c and the positive false-positive scores −logit_c;
    /// 0 when both groups are empty.
    /// </summary>
    /// <param name="logits">n×k logits, row-major.</param>
    /// <param name="n">Number of samples.</param>
    /// <param name="k">Number of classes.</param>
    /// <param name="labels">n labels.</param>
    /// <param name="predictions">n predicted classes (argmax).</param>
    /// <param name="c">The task (class) index.</param>
    public static double Coverage(ReadOnlySpan<double> logits, int n, int k, ReadOnlySpan<int> labels, ReadOnlySpan<int> predictions, int c)
    {
        if (logits.Length != (long)n * k || labels.Length != n || predictions.Length != n)
        {
            throw new ArgumentException("logits must be n×k and labels/predictions must have n entries.", nameof(logits));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(c);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(c, k);

        var truePositive = new List<double>();
        var falsePositive = new List<double>();
        for (int i = 0; i < n; i++)
        {
            if (predictions[i] != c)
            {
                continue;
            }

            double logit = logits[(i * k) + c];
            if (labels[i] == c)
            {
                if (logit > 0)
                {
                    truePositive.Add(logit);
                }
            }
            else if (-logit > 0)
            {
                falsePositive.Add(-logit);
            }
        }

        return CoverageOfGroups(truePositive, falsePositive);
    }

    /// <summary>
    /// Mean of 1 − JSD over the non-empty groups; 0 when both are empty (SCAR-SPEC §4).
    /// </summary>
    public static double CoverageOfGroups(IReadOnlyList<double> truePositiveScores, IReadOnlyList<double> falsePositiveScores)
    {
        ArgumentNullException.ThrowIfNull(truePositiveScores);
        ArgumentNullException.ThrowIfNull(falsePositiveScores);
        double sum = 0;
        int groups = 0;
        if (truePositiveScores.Count > 0)
        {
            sum += 1.0 - JsdToNormal(ToArray(truePositiveScores));
            groups++;
        }

        if (falsePositiveScores.Count > 0)
        {
            sum += 1.0 - JsdToNormal(ToArray(falsePositiveScores));
            groups++;
        }

        return groups == 0 ? 0.0 : sum / groups;
    }

    /// <summary>
    /// JSD (base 2, in [0, 1]) between the 100-bin histogram density of <paramref name="scores"/> and the normal
    /// pdf with the scores' mean and sample std (ddof = 1) at the bin centres, both floored by 1e-12 and
    /// normalized. Returns 1 for fewer than two scores or zero spread (the reference's "no coverage").
    /// </summary>
    public static double JsdToNormal(ReadOnlySpan<double> scores)
    {
        int n = scores.Length;
        if (n < 2)
        {
            return 1.0;
        }

        double min = scores[0];
        double max = scores[0];
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            double v = scores[i];
            sum += v;
            if (v < min)
            {
                min = v;
            }

            if (v > max)
            {
                max = v;
            }
        }

        double mean = sum / n;
        double squares = 0;
        for (int i = 0; i < n; i++)
        {
            double d = scores[i] - mean;
            squares += d * d;
        }

        double std = Math.Sqrt(squares / (n - 1));

        // Equal scores have no spread: the reference assigns JSD 1; the min == max test guards against a
        // rounding-noise std from the mean of identical values.
        if (!(std > 0) || min == max || !double.IsFinite(std))
        {
            return 1.0;
        }

        double[] edges = HistogramEdges(min, max, CoverageBins);
        int[] counts = Histogram(scores, edges);
        var wide = new long[counts.Length];
        for (int b = 0; b < counts.Length; b++)
        {
            wide[b] = counts[b];
        }

        return JsdFromHistogram(n, min, max, mean, std, wide);
    }

    /// <summary>
    /// The JSD of a score group from its histogram (100 bins over [min, max], numpy's binning) and its moments:
    /// the second half of <see cref="JsdToNormal"/>, for scores that were binned where they live (shards).
    /// </summary>
    public static double JsdFromHistogram(long n, double min, double max, double mean, double std, ReadOnlySpan<long> counts)
    {
        if (n < 2 || !(std > 0) || min == max || !double.IsFinite(std))
        {
            return 1.0;
        }

        double[] edges = HistogramEdges(min, max, CoverageBins);
        double[] p = new double[CoverageBins];
        double[] q = new double[CoverageBins];
        for (int b = 0; b < CoverageBins; b++)
        {
            // numpy density: counts / diff(edges) / counts.sum(), each bin with its own width.
            double width = edges[b + 1] - edges[b];
            p[b] = ((double)counts[b] / width / n) + DensityFloor;
            double centre = (edges[b] + edges[b + 1]) / 2.0;
            double z = (centre - mean) / std;
            q[b] = (Math.Exp(-z * z / 2.0) * InvSqrt2Pi / std) + DensityFloor;
        }

        Normalize(p);
        Normalize(q);
        return JensenShannonDivergence(p, q);
    }

    /// <summary>
    /// Jensen–Shannon divergence with log base 2, i.e. scipy.spatial.distance.jensenshannon(p, q, base=2)**2:
    /// p and q are normalized to sum 1, m = (p + q)/2, JSD = (KL(p‖m) + KL(q‖m)) / (2 ln 2), with 0·log 0 = 0.
    /// </summary>
    public static double JensenShannonDivergence(ReadOnlySpan<double> p, ReadOnlySpan<double> q)
    {
        if (p.Length != q.Length)
        {
            throw new ArgumentException("p and q must have the same length.", nameof(q));
        }

        double sp = Sum(p);
        double sq = Sum(q);
        double left = 0;
        double right = 0;
        for (int i = 0; i < p.Length; i++)
        {
            double pi = p[i] / sp;
            double qi = q[i] / sq;
            double m = (pi + qi) / 2.0;
            left += RelEntr(pi, m);
            right += RelEntr(qi, m);
        }

        double js = (left + right) / Math.Log(2.0);
        return js / 2.0;
    }

    /// <summary>
    /// numpy.linspace(min, max, bins + 1): edge i = i·step + min with step = (max − min)/bins, last edge = max.
    /// </summary>
    public static double[] HistogramEdges(double min, double max, int bins)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        double step = (max - min) / bins;
        double[] edges = new double[bins + 1];
        for (int i = 0; i < bins; i++)
        {
            edges[i] = (i * step) + min;
        }

        edges[bins] = max;
        return edges;
    }

    /// <summary>
    /// numpy.histogram counts for uniform <paramref name="edges"/> (first and last edge are the data range):
    /// the bin from the scaled offset, then corrected against the actual edges as numpy does, the last bin
    /// closed on the right. Values outside [first, last] are ignored.
    /// </summary>
    public static int[] Histogram(ReadOnlySpan<double> values, ReadOnlySpan<double> edges)
    {
        int bins = edges.Length - 1;
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1, nameof(edges));
        double first = edges[0];
        double last = edges[bins];
        double norm = bins / (last - first);
        int[] counts = new int[bins];
        foreach (double v in values)
        {
            if (!(v >= first && v <= last))
            {
                continue;
            }

            int idx = (int)((v - first) * norm);
            if (idx >= bins)
            {
                idx = bins - 1;
            }

            // The scaled offset can land one bin off by rounding; numpy fixes it against the real edges.
            if (v < edges[idx])
            {
                idx--;
            }
            else if (idx != bins - 1 && v >= edges[idx + 1])
            {
                idx++;
            }

            counts[idx]++;
        }

        return counts;
    }

    internal static SubsetMeasures ComputeFromPredictions(ReadOnlySpan<double> logits, int n, int k, ReadOnlySpan<int> labels, ReadOnlySpan<int> predictions, double ratio)
    {
        int correct = 0;
        int wrongOnEveryTask = 0;
        for (int i = 0; i < n; i++)
        {
            if (predictions[i] == labels[i])
            {
                correct++;
            }

            // Task c is wrong at i iff [pred == c] != [y == c]; count the samples wrong on all k tasks.
            int wrongTasks = 0;
            for (int c = 0; c < k; c++)
            {
                if ((predictions[i] == c) != (labels[i] == c))
                {
                    wrongTasks++;
                }
            }

            if (wrongTasks == k)
            {
                wrongOnEveryTask++;
            }
        }

        double scale = ((double)(n - wrongOnEveryTask) / n) / ratio;
        var tasks = new TaskMeasures[k];
        for (int c = 0; c < k; c++)
        {
            int agree = 0;
            double richnessSum = 0;
            for (int i = 0; i < n; i++)
            {
                bool pred = predictions[i] == c;
                bool label = labels[i] == c;
                if (pred == label)
                {
                    agree++;
                    richnessSum += 1.0;
                }
                else
                {
                    // Mean over the other tasks of their prediction: with one argmax per sample, the other
                    // tasks hold exactly one positive unless this task took it.
                    int othersPositive = pred ? 0 : 1;
                    richnessSum += (double)othersPositive / (k - 1);
                }
            }

            double coverage = Coverage(logits, n, k, labels, predictions, c);
            tasks[c] = new TaskMeasures(scale, coverage, (double)agree / n, richnessSum / n);
        }

        return new SubsetMeasures((double)correct / n, tasks);
    }

    private static void ValidateShape(int logitCount, int n, int k, ReadOnlySpan<int> labels, double ratio)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 2);
        if (logitCount != (long)n * k)
        {
            throw new ArgumentException($"logits has {logitCount} values, expected n × k = {n} × {k}.", "logits");
        }

        if (labels.Length != n)
        {
            throw new ArgumentException($"labels has {labels.Length} entries, expected n = {n}.", nameof(labels));
        }

        for (int i = 0; i < n; i++)
        {
            if ((uint)labels[i] >= (uint)k)
            {
                throw new ArgumentException($"label {i} is {labels[i]}, outside [0, {k}).", nameof(labels));
            }
        }

        if (!(ratio >= 1.0) || double.IsInfinity(ratio))
        {
            throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "ratio must be a finite number ≥ 1.");
        }
    }

    private static double RelEntr(double x, double y)
    {
        // scipy.special.rel_entr: x·ln(x/y), 0 when x == 0.
        if (x == 0 && y >= 0)
        {
            return 0.0;
        }

        return x > 0 && y > 0 ? x * Math.Log(x / y) : double.PositiveInfinity;
    }

    private static double Sum(ReadOnlySpan<double> values)
    {
        double s = 0;
        foreach (double v in values)
        {
            s += v;
        }

        return s;
    }

    private static void Normalize(double[] values)
    {
        double s = Sum(values);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] /= s;
        }
    }

    private static double[] ToArray(IReadOnlyList<double> values)
    {
        double[] result = new double[values.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = values[i];
        }

        return result;
    }
}
