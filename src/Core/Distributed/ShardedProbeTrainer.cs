using Scar.Core.IO;
using Scar.Core.Measures;
using Scar.Core.Numerics;
using Scar.Core.Pipeline;

namespace Scar.Core.Distributed;

/// <summary>
/// One probe training (SCAR-SPEC §2–§5) as a map-reduce over embedding shards: the subset is chosen by key
/// thresholds, each epoch broadcasts the weights and folds the shards' gradients in shard order before one Adam
/// step, and the measures are reduced from per-shard statistics and histograms. Nothing but O(k·d) numbers moves,
/// and the result does not depend on where the shards run.
/// </summary>
public static class ShardedProbeTrainer
{
    /// <summary>Runs the work item over the shards of its embeddings.</summary>
    public static async Task<ProbeOutcome> RunAsync(IShardProvider provider, ProbeWork work, ProbeOptions options, CancellationToken cancellationToken = default)
    {
        NpyHeader header = NpyFile.ReadHeader(work.EmbeddingsPath);
        var shards = provider.Open(work.EmbeddingsPath, header.Shape[0]);
        int d = checked((int)header.Shape[1]);
        int k = work.Classes;

        SubsetSpec subset = await SubsetSelection.SelectAsync(shards, work.PoolPath, work.LabelsPath, DeterministicRandom.Derive(work.Seed, "subset"),
            k, work.Ratio, cancellationToken);
        int n = (await ShardCalls.AllAsync(shards, s => s.SubsetCountAsync(subset, cancellationToken))).Sum();
        if (n == 0)
        {
            throw new InvalidOperationException($"probe {work.Id}: the subset at ratio {work.Ratio} is empty (every class has fewer than {work.Ratio} rows); use smaller ratios or more data.");
        }

        var model = InitialModel(work, d);
        float[] w = model.Weights, b = model.Bias;
        float[] mW = new float[d * k], vW = new float[d * k], mB = new float[k], vB = new float[k];
        var gradW = new double[d * k];
        var gradB = new double[k];
        float invN = 1f / n;
        double best = double.NegativeInfinity;
        int stale = 0, epochs = 0;
        for (int epoch = 1; epoch <= options.MaxEpochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            float[] wNow = (float[])w.Clone(), bNow = (float[])b.Clone();
            var parts = await ShardCalls.AllAsync(shards, s => s.GradientAsync(subset, k, wNow, bNow, invN, cancellationToken));
            Array.Clear(gradW);
            Array.Clear(gradB);
            long correct = 0;
            foreach (var part in parts)
            {
                for (int i = 0; i < gradW.Length; i++)
                {
                    gradW[i] += part.GradW[i];
                }

                for (int c = 0; c < k; c++)
                {
                    gradB[c] += part.GradB[c];
                }

                correct += part.Correct;
            }

            ProbeTrainer.AdamStep(w, gradW, mW, vW, epoch, options);
            ProbeTrainer.AdamStep(b, gradB, mB, vB, epoch, options);
            epochs = epoch;
            double accuracy = (double)correct / n;
            if (accuracy > best)
            {
                best = accuracy;
                stale = 0;
            }
            else if (++stale >= options.Patience)
            {
                break;
            }
        }

        var stats = Merge(await ShardCalls.AllAsync(shards, s => s.StatisticsAsync(subset, k, w, b, cancellationToken)), k);
        long[] histograms = await HistogramsAsync(shards, subset, k, w, b, stats, cancellationToken);
        SubsetMeasures measures = Finalize(stats, histograms, k, work.Ratio);
        var test = await ShardCalls.AllAsync(shards, s => s.TestAsync(work.TestPath, work.LabelsPath, k, w, b, cancellationToken));
        long testN = test.Sum(t => t.N), testCorrect = test.Sum(t => t.Correct);
        var taskTest = new double[k];
        for (int c = 0; c < k; c++)
        {
            taskTest[c] = testN == 0 ? double.NaN : (double)test.Sum(t => t.TaskCorrect[c]) / testN;
        }

        return new ProbeOutcome(work.Id, work.Ratio, work.Repeat, n, epochs, measures.TrainAccuracy,
            testN == 0 ? double.NaN : (double)testCorrect / testN,
            measures.Tasks.Select(t => t.Scale).ToArray(), measures.Tasks.Select(t => t.Coverage).ToArray(),
            measures.Tasks.Select(t => t.Authenticity).ToArray(), measures.Tasks.Select(t => t.Richness).ToArray(), taskTest);
    }

    /// <summary>
    /// The weights the probe of <paramref name="work"/> starts from (nn.Linear's uniform ±1/√d from the work's seed):
    /// exposed so that a peer implementation can start from the same point (bench/Scar.Bench writes them).
    /// </summary>
    internal static ProbeModel InitialModel(ProbeWork work, int dim) =>
        ProbeTrainer.Initialize(dim, work.Classes, DeterministicRandom.Derive(work.Seed, "init"));

    /// <summary>Folds shard statistics in shard order (Chan's merge for the score moments).</summary>
    public static MeasureStats Merge(IReadOnlyList<MeasureStats> parts, int classes)
    {
        int groups = 2 * classes;
        long n = 0, correct = 0, wrong = 0;
        var authentic = new long[classes];
        var falseNegatives = new long[classes];
        var count = new long[groups];
        var mean = new double[groups];
        var m2 = new double[groups];
        var min = Enumerable.Repeat(double.PositiveInfinity, groups).ToArray();
        var max = Enumerable.Repeat(double.NegativeInfinity, groups).ToArray();
        foreach (var p in parts)
        {
            n += p.N;
            correct += p.Correct;
            wrong += p.WrongEverywhere;
            for (int c = 0; c < classes; c++)
            {
                authentic[c] += p.Authentic[c];
                falseNegatives[c] += p.FalseNegatives[c];
            }

            for (int g = 0; g < groups; g++)
            {
                if (p.GroupCount[g] == 0)
                {
                    continue;
                }

                long na = count[g], nb = p.GroupCount[g], total = na + nb;
                double delta = p.GroupMean[g] - mean[g];
                mean[g] += delta * nb / total;
                m2[g] += p.GroupM2[g] + (delta * delta * na * nb / total);
                count[g] = total;
                min[g] = Math.Min(min[g], p.GroupMin[g]);
                max[g] = Math.Max(max[g], p.GroupMax[g]);
            }
        }

        return new MeasureStats(n, correct, wrong, authentic, falseNegatives, count, mean, m2, min, max);
    }

    /// <summary>SCAR-SPEC §4 from merged statistics and histograms.</summary>
    public static SubsetMeasures Finalize(MeasureStats s, long[] histograms, int classes, double ratio)
    {
        double n = s.N;
        double scale = (n - s.WrongEverywhere) / n / ratio;
        var tasks = new TaskMeasures[classes];
        for (int c = 0; c < classes; c++)
        {
            double coverageSum = 0;
            int groups = 0;
            for (int g = 2 * c; g <= (2 * c) + 1; g++)
            {
                if (s.GroupCount[g] == 0)
                {
                    continue;
                }

                groups++;
                double std = s.GroupCount[g] > 1 ? Math.Sqrt(s.GroupM2[g] / (s.GroupCount[g] - 1)) : 0;
                double jsd = ScarMeasures.JsdFromHistogram(s.GroupCount[g], s.GroupMin[g], s.GroupMax[g], s.GroupMean[g], std,
                    histograms.AsSpan(g * ScarMeasures.CoverageBins, ScarMeasures.CoverageBins));
                coverageSum += 1 - jsd;
            }

            double richness = classes > 1 ? (s.Authentic[c] + ((double)s.FalseNegatives[c] / (classes - 1))) / n : s.Authentic[c] / n;
            tasks[c] = new TaskMeasures(scale, groups == 0 ? 0 : coverageSum / groups, s.Authentic[c] / n, richness);
        }

        return new SubsetMeasures(s.Correct / n, tasks);
    }

    private static async Task<long[]> HistogramsAsync(IReadOnlyList<IShardClient> shards, SubsetSpec subset, int k, float[] w, float[] b, MeasureStats stats, CancellationToken cancellationToken)
    {
        var parts = await ShardCalls.AllAsync(shards, s => s.CoverageHistogramsAsync(subset, k, w, b, stats.GroupMin, stats.GroupMax, cancellationToken));
        var total = new long[2 * k * ScarMeasures.CoverageBins];
        foreach (var part in parts)
        {
            for (int i = 0; i < total.Length; i++)
            {
                total[i] += part[i];
            }
        }

        return total;
    }
}
