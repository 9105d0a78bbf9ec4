using System.Collections.Concurrent;
using Scar.Core.IO;
using Scar.Core.Measures;
using Scar.Core.Numerics;

namespace Scar.Core.Distributed;

/// <summary>
/// One shard of an embeddings file held in memory, and every map step the distributed method runs on it:
/// k-means partials, subset key histograms, probe gradients, measure statistics and held-out counts. Rows never
/// leave it; what it returns is O(k·d) numbers. Thread-safe for concurrent probes.
/// </summary>
public sealed class EmbeddingShard
{
    private const int KMeansBlockRows = 2048;
    private const int SubsetCacheSize = 32;

    // Accelerated probes a shard keeps at once: above the probes a silo trains concurrently, so none is evicted mid-training.
    private const int AcceleratedProbeLimit = 512;
    private readonly Lazy<FloatMatrix> _data;
    private readonly Lazy<double[]> _norms;
    private readonly ConcurrentDictionary<string, Lazy<int[]>> _vectors = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SubsetRowsAndLabels> _subsets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, KMeansRun> _runs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, ConcurrentBag<ProbeGradientKernel>> _kernels = new(); // by class count
    private readonly IShardAccelerator? _accelerator;
    private readonly ConcurrentDictionary<string, AcceleratedProbe> _accelerated = new(StringComparer.Ordinal);
    private long _accelerationClock;

    /// <summary>
    /// Creates the shard; its rows are read on first use. With an <paramref name="accelerator"/>, k-means assignments
    /// and probe gradients run on it (for instance on a GPU); the results agree with the managed kernels to float32
    /// rounding, not bit for bit.
    /// </summary>
    public EmbeddingShard(ShardSpec spec, IShardAccelerator? accelerator = null)
    {
        Spec = spec;
        _accelerator = accelerator;
        _data = new Lazy<FloatMatrix>(() => Load(spec));
        _norms = new Lazy<double[]>(() => RowNorms(_data.Value));
    }

    /// <summary>Which rows of which file.</summary>
    public ShardSpec Spec { get; }

    /// <summary>Probes whose gradient source (and its device copy of their rows) the accelerator holds now.</summary>
    public int AcceleratedProbes => _accelerated.Count;

    /// <summary>The shard's rows (loaded on first use).</summary>
    public FloatMatrix Data => _data.Value;

    /// <summary>Bytes of embeddings held.</summary>
    public long Bytes => (long)Spec.Count * Data.Cols * sizeof(float);

    /// <summary>Reads the rows now (a shard grain calls it on activation so load errors surface early).</summary>
    public void Load() => _ = Data;

    // ---- subsets -------------------------------------------------------------------------------------------

    /// <summary>Rows of the subset that fall in this shard (local indices, ascending).</summary>
    public int[] SubsetRows(SubsetSpec subset) => Subset(subset).Rows;

    // The subset's local rows and their labels, computed once per subset and kept while its probe trains: an epoch
    // then allocates nothing proportional to the shard (per-epoch row-sized arrays kept the large object heap full).
    private SubsetRowsAndLabels Subset(SubsetSpec subset)
    {
        if (_subsets.TryGetValue(subset.CacheKey, out var cached))
        {
            return cached;
        }

        int[] pool = LocalPool(subset.PoolPath);
        int[] labels = LocalInts(subset.LabelsPath);
        int[] rows;
        if (subset.ThresholdKeys is null)
        {
            rows = pool;
        }
        else
        {
            // One pass over the pool (one key hash per row) into rented scratch, then an exact-size copy.
            int[] scratch = System.Buffers.ArrayPool<int>.Shared.Rent(Math.Max(1, pool.Length));
            int count = 0;
            foreach (int local in pool)
            {
                if (Selected(subset, labels, local))
                {
                    scratch[count++] = local;
                }
            }

            rows = scratch.AsSpan(0, count).ToArray();
            System.Buffers.ArrayPool<int>.Shared.Return(scratch);
        }

        var entry = new SubsetRowsAndLabels(rows, Gather(labels, rows));
        if (_subsets.Count >= SubsetCacheSize)
        {
            _subsets.Clear();
        }

        _subsets[subset.CacheKey] = entry;
        return entry;
    }

    private bool Selected(SubsetSpec subset, int[] labels, int local)
    {
        int c = labels[local];
        int global = checked((int)(Spec.Start + local));
        return SubsetKeys.Includes(SubsetKeys.Key(subset.Seed, global), global, subset.ThresholdKeys![c], subset.ThresholdRows![c]);
    }

    /// <summary>Rows of the subset in this shard.</summary>
    public int SubsetCount(SubsetSpec subset) => SubsetRows(subset).Length;

    /// <summary>
    /// Per class, a 1024-bucket histogram of the next 10 key bits of the pool rows whose top
    /// <paramref name="prefixBits"/> key bits equal <paramref name="prefixes"/>[c]; inactive classes stay zero.
    /// </summary>
    public long[] KeyHistogram(string poolPath, string labelsPath, ulong seed, int classes, int prefixBits, ulong[] prefixes, bool[] active)
    {
        var histogram = new long[classes * 1024];
        int[] pool = LocalPool(poolPath);
        int[] labels = LocalInts(labelsPath);
        int shift = 64 - prefixBits - 10;
        foreach (int local in pool)
        {
            int c = labels[local];
            if ((uint)c >= (uint)classes)
            {
                throw new ScarInputException(labelsPath, $"label {c} at row {Spec.Start + local} is outside 0..{classes - 1}.");
            }

            if (!active[c])
            {
                continue;
            }

            ulong key = SubsetKeys.Key(seed, checked((int)(Spec.Start + local)));
            if (prefixBits > 0 && (key >> (64 - prefixBits)) != prefixes[c])
            {
                continue;
            }

            histogram[(c * 1024) + (int)((key >> shift) & 1023)]++;
        }

        return histogram;
    }

    /// <summary>The pool rows of active classes whose top <paramref name="prefixBits"/> key bits equal the class's prefix.</summary>
    public KeyedRows KeysWithPrefix(string poolPath, string labelsPath, ulong seed, int prefixBits, ulong[] prefixes, bool[] active)
    {
        int[] pool = LocalPool(poolPath);
        int[] labels = LocalInts(labelsPath);
        var classes = new List<int>();
        var keys = new List<ulong>();
        var rows = new List<int>();
        foreach (int local in pool)
        {
            int c = labels[local];
            if (!active[c])
            {
                continue;
            }

            int global = checked((int)(Spec.Start + local));
            ulong key = SubsetKeys.Key(seed, global);
            if ((key >> (64 - prefixBits)) == prefixes[c])
            {
                classes.Add(c);
                keys.Add(key);
                rows.Add(global);
            }
        }

        return new KeyedRows([.. classes], [.. keys], [.. rows]);
    }

    // ---- probes --------------------------------------------------------------------------------------------

    /// <summary>The loss gradient over the subset's rows in this shard, each row scaled by <paramref name="invN"/>.</summary>
    public GradientSums Gradient(SubsetSpec subset, int classes, float[] weights, float[] bias, float invN, CancellationToken cancellationToken = default)
    {
        var (rows, labels) = Subset(subset);
        var model = new ProbeModel(Data.Cols, classes, weights, bias);
        if (_accelerator is not null && rows.Length > 0)
        {
            return AcceleratedGradient(subset, rows, labels, classes, invN, model, cancellationToken);
        }

        var kernels = _kernels.GetOrAdd(classes, _ => []);
        if (!kernels.TryTake(out var kernel))
        {
            kernel = new ProbeGradientKernel(Data.Cols, classes, 1);
        }

        try
        {
            return kernel.Compute(Data, rows, labels, model, invN, cancellationToken);
        }
        finally
        {
            kernels.Add(kernel);
        }
    }

    // One accelerated gradient source per probe (subset, classes, scale), created at its first epoch and kept, with its
    // device copy of the rows, until the probe's measures are asked for (training is over then).
    private GradientSums AcceleratedGradient(SubsetSpec subset, int[] rows, int[] labels, int classes, float invN, ProbeModel model, CancellationToken cancellationToken)
    {
        string key = $"{subset.CacheKey}|{classes}|{BitConverter.SingleToInt32Bits(invN)}";
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!_accelerated.TryGetValue(key, out var probe))
            {
                if (_accelerated.Count >= AcceleratedProbeLimit)
                {
                    // Probes that never asked for their measures (a cancelled job's): the half used longest ago go.
                    foreach (var stale in _accelerated.OrderBy(e => Volatile.Read(ref e.Value.LastUse)).Take(AcceleratedProbeLimit / 2).Select(e => e.Key).ToArray())
                    {
                        ReleaseAccelerated(stale);
                    }
                }

                probe = _accelerated.GetOrAdd(key, _ => new AcceleratedProbe());
            }

            lock (probe)
            {
                if (probe.Released)
                {
                    continue; // released while this call waited: make a new one
                }

                Volatile.Write(ref probe.LastUse, Interlocked.Increment(ref _accelerationClock));

                probe.Source ??= _accelerator!.CreateGradient(Data, rows, labels, classes, invN);
                return probe.Source.Compute(model, cancellationToken);
            }
        }
    }

    private void ReleaseAccelerated(string key)
    {
        if (_accelerated.TryRemove(key, out var probe))
        {
            lock (probe)
            {
                probe.Released = true;
                (probe.Source as IDisposable)?.Dispose();
                probe.Source = null;
            }
        }
    }

    /// <summary>First-pass measure statistics of the probe on the subset's rows in this shard (SCAR-SPEC §4).</summary>
    public MeasureStats Statistics(SubsetSpec subset, int classes, float[] weights, float[] bias)
    {
        if (_accelerator is not null)
        {
            string prefix = subset.CacheKey + "|" + classes + "|";
            foreach (string key in _accelerated.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToArray())
            {
                ReleaseAccelerated(key);
            }
        }

        int k = classes;
        var (rows, labels) = Subset(subset);
        using var pooled = Logits(rows, k, weights, bias);
        float[] logits = pooled.Array;
        var authentic = new long[k];
        var falseNegatives = new long[k];
        using var scores = new ScoreGroups(logits, labels, k);
        long correct = 0, wrongEverywhere = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            int y = labels[i];
            int p = ProbeModel.ArgMax(logits.AsSpan(i * k, k));
            correct += p == y ? 1 : 0;
            bool anyRight = false;
            for (int c = 0; c < k; c++)
            {
                bool right = (p == c) == (y == c);
                authentic[c] += right ? 1 : 0;
                anyRight |= right;
            }

            wrongEverywhere += anyRight ? 0 : 1;
            if (p != y)
            {
                falseNegatives[y]++;
            }
        }

        int groups = 2 * k;
        var count = new long[groups];
        var mean = new double[groups];
        var m2 = new double[groups];
        var min = new double[groups];
        var max = new double[groups];
        for (int g = 0; g < groups; g++)
        {
            var values = scores.Group(g);
            count[g] = values.Length;
            min[g] = double.PositiveInfinity;
            max[g] = double.NegativeInfinity;
            double sum = 0;
            foreach (double v in values)
            {
                sum += v;
                min[g] = Math.Min(min[g], v);
                max[g] = Math.Max(max[g], v);
            }

            mean[g] = values.Length == 0 ? 0 : sum / values.Length;
            double squares = 0;
            foreach (double v in values)
            {
                double delta = v - mean[g];
                squares += delta * delta;
            }

            m2[g] = squares;
        }

        return new MeasureStats(rows.Length, correct, wrongEverywhere, authentic, falseNegatives, count, mean, m2, min, max);
    }

    /// <summary>Second pass: per group, the 100-bin histogram of its scores over the global [min, max] (numpy's binning).</summary>
    public long[] CoverageHistograms(SubsetSpec subset, int classes, float[] weights, float[] bias, double[] min, double[] max)
    {
        int k = classes;
        var (rows, labels) = Subset(subset);
        using var pooled = Logits(rows, k, weights, bias);
        float[] logits = pooled.Array;
        using var scores = new ScoreGroups(logits, labels, k);
        var histograms = new long[2 * k * ScarMeasures.CoverageBins];
        for (int g = 0; g < 2 * k; g++)
        {
            if (scores.Group(g).IsEmpty || !(max[g] > min[g]))
            {
                continue;
            }

            double[] edges = ScarMeasures.HistogramEdges(min[g], max[g], ScarMeasures.CoverageBins);
            int[] counts = ScarMeasures.Histogram(scores.Group(g), edges);
            for (int b = 0; b < counts.Length; b++)
            {
                histograms[(g * ScarMeasures.CoverageBins) + b] = counts[b];
            }
        }

        return histograms;
    }

    /// <summary>Held-out counts on the test rows that fall in this shard.</summary>
    public TestStats Test(string testPath, string labelsPath, int classes, float[] weights, float[] bias)
    {
        int k = classes;
        int[] rows = LocalPool(testPath);
        int[] labels = LocalInts(labelsPath);
        using var pooled = Logits(rows, k, weights, bias);
        float[] logits = pooled.Array;
        var taskCorrect = new long[k];
        long correct = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            int p = ProbeModel.ArgMax(logits.AsSpan(i * k, k));
            int y = labels[rows[i]];
            correct += p == y ? 1 : 0;
            for (int c = 0; c < k; c++)
            {
                taskCorrect[c] += (p == c) == (y == c) ? 1 : 0;
            }
        }

        return new TestStats(rows.Length, correct, taskCorrect);
    }

    // ---- k-means -------------------------------------------------------------------------------------------

    /// <summary>Per-dimension sums and sums of squares.</summary>
    public ShardMoments Moments()
    {
        var x = Data;
        var sum = new double[x.Cols];
        var squares = new double[x.Cols];
        for (int i = 0; i < x.Rows; i++)
        {
            var row = x.Row(i);
            for (int j = 0; j < row.Length; j++)
            {
                sum[j] += row[j];
                squares[j] += (double)row[j] * row[j];
            }
        }

        return new ShardMoments(x.Rows, sum, squares);
    }

    /// <summary>The vectors of the given local rows.</summary>
    public ShardRows RowsAt(int[] localRows)
    {
        int d = Data.Cols;
        var vectors = new float[localRows.Length * d];
        var global = new long[localRows.Length];
        for (int i = 0; i < localRows.Length; i++)
        {
            Data.Row(localRows[i]).CopyTo(vectors.AsSpan(i * d, d));
            global[i] = Spec.Start + localRows[i];
        }

        return new ShardRows(global, vectors, [], []);
    }

    /// <summary>k-means++: lowers each row's distance to its closest centre with <paramref name="centre"/>; returns the shard's potential Σ D².</summary>
    public double UpdateClosest(string run, float[] centre)
    {
        var state = _runs.GetOrAdd(run, _ => new KMeansRun(Data.Rows));
        double potential = 0;
        ForEachDistanceBlock(centre, 1, (start, rows, d2) =>
        {
            for (int i = 0; i < rows; i++)
            {
                state.Closest[start + i] = Math.Min(state.Closest[start + i], d2[i]);
                potential += state.Closest[start + i];
            }
        });
        return potential;
    }

    /// <summary>k-means++: for each target (ascending, within this shard's potential), the first row whose cumulative D² exceeds it.</summary>
    public ShardRows Sample(string run, double[] targets)
    {
        var state = Run(run);
        var picked = new int[targets.Length];
        double cumulative = 0;
        int t = 0;
        for (int i = 0; i < state.Closest.Length && t < targets.Length; i++)
        {
            cumulative += state.Closest[i];
            while (t < targets.Length && cumulative > targets[t])
            {
                picked[t++] = i;
            }
        }

        for (; t < targets.Length; t++)
        {
            picked[t] = state.Closest.Length - 1; // rounding at the very end of the range
        }

        return RowsAt(picked);
    }

    /// <summary>k-means++: for each candidate centre, Σ min(D², distance²) over the shard.</summary>
    public double[] CandidatePotentials(string run, float[] candidates, int count)
    {
        var state = Run(run);
        var potentials = new double[count];
        ForEachDistanceBlock(candidates, count, (start, rows, d2) =>
        {
            for (int i = 0; i < rows; i++)
            {
                double closest = state.Closest[start + i];
                for (int j = 0; j < count; j++)
                {
                    potentials[j] += Math.Min(closest, d2[(i * count) + j]);
                }
            }
        });
        return potentials;
    }

    /// <summary>Lloyd step: assigns each row to its nearest centroid (ties to the lowest), keeps the assignment, returns the partial sums.</summary>
    public KMeansPartial Assign(string run, float[] centroids, int k)
    {
        var state = _runs.GetOrAdd(run, _ => new KMeansRun(Data.Rows));
        if (_accelerator is not null)
        {
            return AcceleratedAssign(state, centroids, k);
        }

        int d = Data.Cols;
        var sums = new double[k * d];
        var counts = new long[k];
        double inertia = 0;
        ForEachDistanceBlock(centroids, k, (start, rows, d2) =>
        {
            for (int r = 0; r < rows; r++)
            {
                int i = start + r;
                int best = 0;
                double bestDistance = d2[r * k];
                for (int c = 1; c < k; c++)
                {
                    double v = d2[(r * k) + c];
                    if (v < bestDistance)
                    {
                        bestDistance = v;
                        best = c;
                    }
                }

                state.Labels[i] = best;
                state.Distance[i] = bestDistance;
                inertia += bestDistance;
                AddToCluster(Data.Row(i), best, sums, counts);
            }
        });
        return new KMeansPartial(sums, counts, inertia);
    }

    // The assignment on the accelerator (one assigner per run, made at its first Lloyd step): labels and distances come
    // back per row, and the cluster sums too where the assigner computes them, else they are summed here in double.
    private KMeansPartial AcceleratedAssign(KMeansRun state, float[] centroids, int k)
    {
        var x = Data;
        int n = x.Rows, d = x.Cols;
        float[] centreNorms = new float[k];
        double[] norms = CentreNorms(centroids, k, d);
        for (int j = 0; j < k; j++)
        {
            centreNorms[j] = (float)norms[j];
        }

        var sums = new double[k * d];
        var counts = new long[k];
        double inertia = 0;
        lock (state)
        {
            if (state.Assigner is null || state.AssignerK != k)
            {
                (state.Assigner as IDisposable)?.Dispose();
                state.Assigner = _accelerator!.CreateAssigner(x, k);
                state.AssignerK = k;
            }

            float[] distances = state.DistanceScratch ??= new float[n];
            bool summed = state.Assigner.Assign(centroids, centreNorms, state.Labels, distances, sums, counts);
            for (int i = 0; i < n; i++)
            {
                state.Distance[i] = distances[i];
                inertia += distances[i];
            }

            if (!summed)
            {
                Array.Clear(sums);
                Array.Clear(counts);
                for (int i = 0; i < n; i++)
                {
                    AddToCluster(x.Row(i), state.Labels[i], sums, counts);
                }
            }
        }

        return new KMeansPartial(sums, counts, inertia);
    }

    /// <summary>The <paramref name="count"/> rows farthest from their assigned centroid (ties to the lowest row), for empty clusters.</summary>
    public ShardRows Farthest(string run, int count)
    {
        var state = Run(run);
        var order = Enumerable.Range(0, state.Distance.Length)
            .OrderByDescending(i => state.Distance[i]).ThenBy(i => i).Take(count).ToArray();
        var rows = RowsAt(order);
        return rows with { Distances = order.Select(i => state.Distance[i]).ToArray(), Labels = order.Select(i => state.Labels[i]).ToArray() };
    }

    /// <summary>The last assignment of each row.</summary>
    public int[] Assignments(string run) => (int[])Run(run).Labels.Clone();

    /// <summary>Forgets a k-means run's per-row state (and its assigner on the accelerator).</summary>
    public void Release(string run)
    {
        if (_runs.TryRemove(run, out var state))
        {
            lock (state)
            {
                (state.Assigner as IDisposable)?.Dispose();
                state.Assigner = null;
            }
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    /// <summary>This shard's slice of a per-row int vector file.</summary>
    public int[] LocalInts(string path) =>
        _vectors.GetOrAdd("slice|" + path, p => new Lazy<int[]>(() => NpyFile.ReadIntVectorRange(path, Spec.Start, Spec.Count))).Value;

    /// <summary>The rows of a row-index file (a pool or the test rows) that fall in this shard, as local indices, ascending.</summary>
    public int[] LocalPool(string path) =>
        _vectors.GetOrAdd("pool|" + path, p => new Lazy<int[]>(() =>
        {
            int[] all = NpyFile.ReadIntVector(path);
            var local = new List<int>();
            foreach (int row in all)
            {
                long offset = row - Spec.Start;
                if (offset >= 0 && offset < Spec.Count)
                {
                    local.Add((int)offset);
                }
            }

            local.Sort();
            return [.. local];
        })).Value;

    // A bad row found only when its shard loads names the shard as well as the file and row.
    private static FloatMatrix Load(ShardSpec spec)
    {
        try
        {
            return NpyFile.ReadMatrixRows(spec.Path, spec.Start, spec.Count);
        }
        catch (ScarInputException e)
        {
            throw new ScarInputException(e.Input, $"shard of rows {spec.Start}..{spec.Start + spec.Count - 1}: {e.Detail}", e);
        }
    }

    private KMeansRun Run(string run) =>
        _runs.TryGetValue(run, out var state) ? state : throw new ShardStateLostException($"shard {Spec.Path}@{Spec.Start} has no k-means run '{run}' (it was restarted)");

    // Logits of a whole shard are megabytes: rented, so concurrent probes do not churn the large object heap.
    private PooledLogits Logits(int[] rows, int k, float[] weights, float[] bias)
    {
        var logits = System.Buffers.ArrayPool<float>.Shared.Rent(Math.Max(1, rows.Length * k));
        new ProbeModel(Data.Cols, k, weights, bias).Logits(Data, rows, logits.AsSpan(0, rows.Length * k));
        return new PooledLogits(logits);
    }

    private readonly struct PooledLogits(float[] array) : IDisposable
    {
        public float[] Array { get; } = array;

        public void Dispose() => System.Buffers.ArrayPool<float>.Shared.Return(Array);
    }

    // Group 2c: true positives of task c, score logit_c; group 2c+1: false positives, score −logit_c; only scores > 0
    // (SCAR-SPEC §4). The scores sit in one rented array, grouped by a counting sort, in row order within a group.
    private readonly struct ScoreGroups : IDisposable
    {
        private readonly double[] _values;
        private readonly int[] _offsets;

        public ScoreGroups(float[] logits, int[] labels, int k)
        {
            _offsets = new int[(2 * k) + 1];
            for (int i = 0; i < labels.Length; i++)
            {
                if (Score(logits, labels, k, i, out int g) > 0)
                {
                    _offsets[g + 1]++;
                }
            }

            for (int g = 0; g < 2 * k; g++)
            {
                _offsets[g + 1] += _offsets[g];
            }

            _values = System.Buffers.ArrayPool<double>.Shared.Rent(Math.Max(1, _offsets[2 * k]));
            var next = _offsets[..^1];
            for (int i = 0; i < labels.Length; i++)
            {
                double s = Score(logits, labels, k, i, out int g);
                if (s > 0)
                {
                    _values[next[g]++] = s;
                }
            }
        }

        public ReadOnlySpan<double> Group(int g) => _values.AsSpan(_offsets[g], _offsets[g + 1] - _offsets[g]);

        public void Dispose() => System.Buffers.ArrayPool<double>.Shared.Return(_values);

        private static double Score(float[] logits, int[] labels, int k, int i, out int group)
        {
            var z = logits.AsSpan(i * k, k);
            int p = ProbeModel.ArgMax(z);
            bool right = labels[i] == p;
            group = (2 * p) + (right ? 0 : 1);
            return right ? z[p] : -(double)z[p];
        }
    }

    // Squared distances of each block of rows to each of `count` centres (rows × count): ‖x‖² − 2x·c + ‖c‖², clamped at 0.
    private void ForEachDistanceBlock(float[] centres, int count, Action<int, int, double[]> body)
    {
        var x = Data;
        int n = x.Rows, d = x.Cols;
        double[] norms = _norms.Value;
        double[] centreNorms = CentreNorms(centres, count, d);

        int blockRows = Math.Min(KMeansBlockRows, n);
        var dots = new float[blockRows * count];
        var block = new double[blockRows * count];
        for (int start = 0; start < n; start += KMeansBlockRows)
        {
            int rows = Math.Min(KMeansBlockRows, n - start);
            Gemm.Sgemm(false, true, rows, count, d, 1f, x.Data.AsSpan(start * d, rows * d), d, centres, d, 0f, dots, count);
            for (int i = 0; i < rows; i++)
            {
                for (int j = 0; j < count; j++)
                {
                    block[(i * count) + j] = Math.Max(0, norms[start + i] - (2.0 * dots[(i * count) + j]) + centreNorms[j]);
                }
            }

            body(start, rows, block);
        }
    }

    // A row into its cluster's double sum and count.
    private static void AddToCluster(ReadOnlySpan<float> row, int cluster, double[] sums, long[] counts)
    {
        counts[cluster]++;
        var sum = sums.AsSpan(cluster * row.Length, row.Length);
        for (int j = 0; j < row.Length; j++)
        {
            sum[j] += row[j];
        }
    }

    // ‖c_j‖² of each of `count` centres (count × d), summed in double.
    private static double[] CentreNorms(float[] centres, int count, int d)
    {
        var centreNorms = new double[count];
        for (int j = 0; j < count; j++)
        {
            double s = 0;
            for (int t = 0; t < d; t++)
            {
                s += (double)centres[(j * d) + t] * centres[(j * d) + t];
            }

            centreNorms[j] = s;
        }

        return centreNorms;
    }

    private static double[] RowNorms(FloatMatrix x)
    {
        var norms = new double[x.Rows];
        for (int i = 0; i < x.Rows; i++)
        {
            double s = 0;
            foreach (float v in x.Row(i))
            {
                s += (double)v * v;
            }

            norms[i] = s;
        }

        return norms;
    }

    private static int[] Gather(int[] values, int[] rows)
    {
        var result = new int[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            result[i] = values[rows[i]];
        }

        return result;
    }

    private sealed record SubsetRowsAndLabels(int[] Rows, int[] Labels);

    private sealed class KMeansRun(int rows)
    {
        public double[] Closest { get; } = Enumerable.Repeat(double.PositiveInfinity, rows).ToArray();

        public int[] Labels { get; } = new int[rows];

        public double[] Distance { get; } = new double[rows];

        // With an accelerator: the run's assigner (for AssignerK centres) and its float distances.
        public ICentreAssigner? Assigner { get; set; }

        public int AssignerK { get; set; }

        public float[]? DistanceScratch { get; set; }
    }

    // A probe's accelerated gradient source; Released once its training is over (or it was evicted).
    private sealed class AcceleratedProbe
    {
        public long LastUse;

        public IProbeGradientSource? Source { get; set; }

        public bool Released { get; set; }
    }
}

/// <summary>A shard lost per-run state it was asked to use (its worker restarted); the caller restarts the step that needs it.</summary>
public sealed class ShardStateLostException(string message) : Exception(message);
