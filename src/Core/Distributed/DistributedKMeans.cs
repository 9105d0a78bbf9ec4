using System.Diagnostics;
using Scar.Core.Numerics;

namespace Scar.Core.Distributed;

/// <summary>The outcome of a distributed k-means: centroids, the assignment of every row (in row order) and the per-iteration stats.</summary>
/// <param name="Centroids">k × d centroids.</param>
/// <param name="Assignments">Cluster of each row.</param>
/// <param name="Inertia">Final objective.</param>
/// <param name="Iterations">Lloyd iterations run.</param>
/// <param name="Converged">Whether the tolerance was reached.</param>
/// <param name="Stats">One record per iteration.</param>
public sealed record DistributedKMeansResult(float[] Centroids, int[] Assignments, double Inertia, int Iterations, bool Converged, IReadOnlyList<KMeansIterationStats> Stats);

/// <summary>
/// k-means over embedding shards, as FAISS's and cuML's distributed k-means do: greedy k-means++ initialization
/// (scikit-learn's, with 2 + ⌊ln k⌋ local trials) by sampling through per-shard potentials, then Lloyd
/// iterations that broadcast the centroids and fold per-shard (sums, counts, inertia) in shard order. Empty
/// clusters take the rows farthest from their centroids, deterministically. Only centroids and sums move.
/// </summary>
public static class DistributedKMeans
{
    /// <summary>Clusters the rows of <paramref name="shards"/> into <see cref="KMeansOptions.K"/> clusters.</summary>
    public static async Task<DistributedKMeansResult> FitAsync(IReadOnlyList<IShardClient> shards, int dim, KMeansOptions options, CancellationToken cancellationToken = default)
    {
        int k = options.K;
        long n = shards.Sum(s => (long)s.Spec.Count);
        if (k < 2)
        {
            throw new ScarInputException("--k", $"k = {k}: at least 2 clusters are needed.");
        }

        if (n < k)
        {
            throw new ScarInputException("--k", $"k = {k} clusters need at least {k} rows; the embeddings have {n}. Lower --k or add rows.");
        }

        string run = $"kmeans-{options.Seed:x16}-{Guid.NewGuid():N}";
        using var span = Telemetry.ScarTelemetry.Source.StartActivity("scar.kmeans");
        span?.SetTag("scar.kmeans.k", k);
        span?.SetTag("scar.kmeans.rows", n);
        try
        {
            var random = new DeterministicRandom(options.Seed);
            float[] centroids = await InitializeAsync(shards, run, dim, k, n, options, random, cancellationToken);
            double tolerance = options.Tolerance * await MeanVarianceAsync(shards, dim, n, cancellationToken);

            var stats = new List<KMeansIterationStats>();
            bool converged = false;
            int iteration = 0;
            double inertia = double.NaN;
            while (iteration < options.MaxIterations)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var clock = Stopwatch.StartNew();
                iteration++;
                var parts = await ShardCalls.AllAsync(shards, s => s.AssignAsync(run, centroids, k, cancellationToken));
                var sums = new double[k * dim];
                var counts = new long[k];
                inertia = 0;
                foreach (var part in parts)
                {
                    for (int i = 0; i < sums.Length; i++)
                    {
                        sums[i] += part.Sums[i];
                    }

                    for (int c = 0; c < k; c++)
                    {
                        counts[c] += part.Counts[c];
                    }

                    inertia += part.Inertia;
                }

                int empties = counts.Count(c => c == 0);
                if (empties > 0)
                {
                    await RelocateEmptyAsync(shards, run, dim, sums, counts, empties, cancellationToken);
                }

                var next = new float[k * dim];
                double shift = 0;
                for (int c = 0; c < k; c++)
                {
                    for (int j = 0; j < dim; j++)
                    {
                        float v = counts[c] > 0 ? (float)(sums[(c * dim) + j] / counts[c]) : centroids[(c * dim) + j];
                        double delta = v - centroids[(c * dim) + j];
                        shift += delta * delta;
                        next[(c * dim) + j] = v;
                    }
                }

                centroids = next;
                double imbalance = counts.Max() / ((double)n / k);
                stats.Add(new KMeansIterationStats(iteration, inertia, clock.Elapsed.TotalSeconds, imbalance, empties));
                Telemetry.ScarTelemetry.RecordKMeansIteration(clock.Elapsed.TotalSeconds, inertia, distributed: true);
                if (shift <= tolerance)
                {
                    converged = true;
                    break;
                }
            }

            // A last assignment so that labels and returned centroids agree.
            var final = await ShardCalls.AllAsync(shards, s => s.AssignAsync(run, centroids, k, cancellationToken));
            inertia = final.Sum(p => p.Inertia);
            var labels = await ShardCalls.AllAsync(shards, s => s.AssignmentsAsync(run, cancellationToken));
            return new DistributedKMeansResult(centroids, labels.SelectMany(l => l).ToArray(), inertia, iteration, converged, stats);
        }
        finally
        {
            await Task.WhenAll(shards.Select(s => s.ReleaseAsync(run, CancellationToken.None)));
        }
    }

    private static async Task<float[]> InitializeAsync(IReadOnlyList<IShardClient> shards, string run, int dim, int k, long n, KMeansOptions options,
        DeterministicRandom random, CancellationToken cancellationToken)
    {
        int trials = options.LocalTrials > 0 ? options.LocalTrials : 2 + (int)Math.Log(k);
        var centroids = new float[k * dim];
        long first = (long)(random.NextDouble() * n);
        var (shard, local) = Locate(shards, first);
        float[] centre = (await shards[shard].RowsAtAsync([local], cancellationToken)).Vectors;
        centre.CopyTo(centroids, 0);
        double[] potentials = await ShardCalls.AllAsync(shards, s => s.UpdateClosestAsync(run, centre, cancellationToken));
        for (int c = 1; c < k; c++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            double total = potentials.Sum();
            var targetsByShard = new List<(int Trial, double Target)>[shards.Count];
            for (int s = 0; s < shards.Count; s++)
            {
                targetsByShard[s] = [];
            }

            for (int t = 0; t < trials; t++)
            {
                double u = random.NextDouble() * total;
                int s = 0;
                while (s < shards.Count - 1 && u >= potentials[s])
                {
                    u -= potentials[s];
                    s++;
                }

                targetsByShard[s].Add((t, u));
            }

            var candidates = new float[trials * dim];
            for (int s = 0; s < shards.Count; s++)
            {
                if (targetsByShard[s].Count == 0)
                {
                    continue;
                }

                var ordered = targetsByShard[s].OrderBy(x => x.Target).ToArray();
                var picked = await shards[s].SampleAsync(run, ordered.Select(x => x.Target).ToArray(), cancellationToken);
                for (int i = 0; i < ordered.Length; i++)
                {
                    picked.Vectors.AsSpan(i * dim, dim).CopyTo(candidates.AsSpan(ordered[i].Trial * dim, dim));
                }
            }

            var candidatePotentials = await ShardCalls.AllAsync(shards, s => s.CandidatePotentialsAsync(run, candidates, trials, cancellationToken));
            int best = 0;
            double bestPotential = double.PositiveInfinity;
            for (int t = 0; t < trials; t++)
            {
                double p = 0;
                foreach (var part in candidatePotentials)
                {
                    p += part[t];
                }

                if (p < bestPotential)
                {
                    bestPotential = p;
                    best = t;
                }
            }

            float[] chosen = candidates.AsSpan(best * dim, dim).ToArray();
            chosen.CopyTo(centroids, c * dim);
            potentials = await ShardCalls.AllAsync(shards, s => s.UpdateClosestAsync(run, chosen, cancellationToken));
        }

        return centroids;
    }

    private static async Task<double> MeanVarianceAsync(IReadOnlyList<IShardClient> shards, int dim, long n, CancellationToken cancellationToken)
    {
        var moments = await ShardCalls.AllAsync(shards, s => s.MomentsAsync(cancellationToken));
        double total = 0;
        for (int j = 0; j < dim; j++)
        {
            double sum = 0, squares = 0;
            foreach (var m in moments)
            {
                sum += m.Sum[j];
                squares += m.SumOfSquares[j];
            }

            double mean = sum / n;
            total += Math.Max(0, (squares / n) - (mean * mean));
        }

        return total / dim;
    }

    // Each empty cluster, in index order, takes the farthest remaining row whose own cluster keeps at least one row.
    private static async Task RelocateEmptyAsync(IReadOnlyList<IShardClient> shards, string run, int dim, double[] sums, long[] counts, int empties, CancellationToken cancellationToken)
    {
        var far = await ShardCalls.AllAsync(shards, s => s.FarthestAsync(run, empties + counts.Length, cancellationToken));
        var pool = far.SelectMany(f => Enumerable.Range(0, f.Rows.Length).Select(i => (Distance: f.Distances[i], Row: f.Rows[i], Label: f.Labels[i], Vector: f.Vectors.AsMemory(i * dim, dim))))
            .OrderByDescending(x => x.Distance).ThenBy(x => x.Row).ToList();
        int next = 0;
        for (int c = 0; c < counts.Length; c++)
        {
            if (counts[c] != 0)
            {
                continue;
            }

            while (next < pool.Count && counts[pool[next].Label] <= 1)
            {
                next++;
            }

            if (next >= pool.Count)
            {
                return;
            }

            var (_, _, label, vector) = pool[next++];
            var v = vector.Span;
            for (int j = 0; j < dim; j++)
            {
                sums[(label * dim) + j] -= v[j];
                sums[(c * dim) + j] = v[j];
            }

            counts[label]--;
            counts[c] = 1;
        }
    }

    private static (int Shard, int Local) Locate(IReadOnlyList<IShardClient> shards, long row)
    {
        for (int s = 0; s < shards.Count; s++)
        {
            if (row < shards[s].Spec.Start + shards[s].Spec.Count)
            {
                return (s, (int)(row - shards[s].Spec.Start));
            }
        }

        throw new ArgumentOutOfRangeException(nameof(row));
    }
}
