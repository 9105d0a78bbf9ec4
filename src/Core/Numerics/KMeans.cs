using System.Diagnostics;

namespace Scar.Core.Numerics;

/// <summary>
/// k-means as scikit-learn's <c>KMeans(init="k-means++", algorithm="lloyd")</c> computes it: greedy k-means++
/// seeding, Lloyd iterations, far-point relocation of empty clusters, relative tolerance on the centre shift.
/// Distances are ‖x‖² − 2x·c + ‖c‖² with the cross term from <see cref="Gemm"/> over fixed row blocks; sums
/// are accumulated in double and folded in block order, so results do not depend on the thread count.
/// </summary>
public static class KMeans
{
    // Rows per block: the block's distance tile (rows × k) and the worker's partial sums stay cache-friendly,
    // and the number of blocks comfortably exceeds the thread count for the sizes SCAR clusters.
    private const int BlockRows = 2048;

    /// <summary>Clusters the rows of <paramref name="x"/> into <see cref="KMeansOptions.K"/> groups.</summary>
    /// <exception cref="ScarInputException">k &lt; 2, fewer rows than k, or a non-finite value (input <c>--k</c> / <c>embeddings</c>).</exception>
    public static KMeansResult Fit(FloatMatrix x, KMeansOptions options, CancellationToken cancellationToken = default) =>
        FitCore(x, options, assigner: null, cancellationToken);

    /// <summary>
    /// As <see cref="Fit(FloatMatrix, KMeansOptions, CancellationToken)"/>, with the nearest-centre search of every
    /// Lloyd iteration done by <paramref name="assigner"/> (built for <paramref name="x"/>, e.g. on a GPU); the
    /// k-means++ seeding, empty-cluster relocation, centre update and convergence test stay here.
    /// </summary>
    public static KMeansResult Fit(FloatMatrix x, KMeansOptions options, ICentreAssigner assigner, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(assigner);
        return FitCore(x, options, assigner, cancellationToken);
    }

    private static KMeansResult FitCore(FloatMatrix x, KMeansOptions options, ICentreAssigner? assigner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(options);
        int n = x.Rows, d = x.Cols, k = options.K;
        if (k < 2)
        {
            throw new ScarInputException("--k", $"k = {k} is not a clustering; k-means needs at least 2 clusters. Use --k 2 or more.");
        }

        if (n < k)
        {
            throw new ScarInputException("--k", $"k = {k} clusters need at least {k} rows; the embeddings have {n}. Lower --k or add rows.");
        }

        if (d == 0)
        {
            throw new ScarInputException("embeddings", "the embeddings have 0 dimensions; k-means needs at least 1.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxIterations, "options.MaxIterations");
        ArgumentOutOfRangeException.ThrowIfNegative(options.Tolerance, "options.Tolerance");
        ArgumentOutOfRangeException.ThrowIfNegative(options.LocalTrials, "options.LocalTrials");

        int trials = options.LocalTrials > 0 ? options.LocalTrials : 2 + (int)Math.Log(k);
        var engine = new Engine(x, k, Math.Max(k, trials), OrderedBlockParallel.ResolveThreads(options.Threads), cancellationToken);
        float[] centroids = engine.SeedPlusPlus(trials, options.Seed);
        engine.Assigner = assigner;
        return engine.Lloyd(centroids, options);
    }

    /// <summary>The greedy k-means++ centres <see cref="Fit"/> starts from (k × d, row-major): lets a benchmark hand the same start to another library.</summary>
    internal static float[] Seed(FloatMatrix x, KMeansOptions options, CancellationToken cancellationToken = default)
    {
        int k = options.K;
        int trials = options.LocalTrials > 0 ? options.LocalTrials : 2 + (int)Math.Log(k);
        var engine = new Engine(x, k, Math.Max(k, trials), OrderedBlockParallel.ResolveThreads(options.Threads), cancellationToken);
        return engine.SeedPlusPlus(trials, options.Seed);
    }

    /// <summary>Lloyd iterations from the given centres (k × d, copied), as <see cref="Fit"/> runs them after seeding.</summary>
    internal static KMeansResult FitFrom(FloatMatrix x, ReadOnlySpan<float> initial, KMeansOptions options, CancellationToken cancellationToken = default) =>
        FitFrom(x, initial, options, assigner: null, cancellationToken);

    /// <summary>Lloyd iterations from the given centres, with the nearest-centre search done by <paramref name="assigner"/> when not null.</summary>
    internal static KMeansResult FitFrom(FloatMatrix x, ReadOnlySpan<float> initial, KMeansOptions options, ICentreAssigner? assigner, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(options);
        if (initial.Length != (long)options.K * x.Cols)
        {
            throw new ArgumentException($"initial has {initial.Length} values, expected k × dim = {options.K} × {x.Cols}.", nameof(initial));
        }

        var engine = new Engine(x, options.K, options.K, OrderedBlockParallel.ResolveThreads(options.Threads), cancellationToken) { Assigner = assigner };
        return engine.Lloyd(initial.ToArray(), options);
    }

    /// <summary>
    /// The nearest of <paramref name="k"/> centres (row-major in <paramref name="centroids"/>) for every row of
    /// <paramref name="x"/>, ties to the lowest index; <paramref name="inertia"/> is the summed squared distance.
    /// </summary>
    public static int[] Assign(FloatMatrix x, ReadOnlySpan<float> centroids, int k, out double inertia)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        if (centroids.Length != (long)k * x.Cols)
        {
            throw new ArgumentException($"centroids has {centroids.Length} values, expected k × dim = {k} × {x.Cols}.", nameof(centroids));
        }

        var engine = new Engine(x, k, k, Environment.ProcessorCount, CancellationToken.None);
        int[] labels = new int[x.Rows];
        inertia = engine.AssignStep(centroids.ToArray(), labels, accumulate: false);
        return labels;
    }

    /// <summary>The data, its row norms and every buffer one fit needs, allocated once.</summary>
    private sealed class Engine
    {
        private readonly FloatMatrix _x;
        private readonly int _n;
        private readonly int _d;
        private readonly int _k;
        private readonly int _blocks;
        private readonly int _workers;
        private readonly CancellationToken _cancellationToken;
        private readonly float[] _xNorms;
        private readonly float[] _minDistance; // squared distance of each row to its assigned (or closest) centre
        private readonly float[][] _tile;      // per worker: BlockRows × columns products
        private readonly double[][] _partialSums; // per worker: k × d
        private readonly long[][] _partialCounts; // per worker: k
        private readonly double[][] _partialScalars; // per worker: objective or one potential per candidate
        private readonly double[] _sums;
        private readonly long[] _counts;
        private readonly double[] _scalars;

        public Engine(FloatMatrix x, int k, int columns, int threads, CancellationToken cancellationToken)
        {
            _x = x;
            _n = x.Rows;
            _d = x.Cols;
            _k = k;
            _blocks = (_n + BlockRows - 1) / BlockRows;
            _workers = Math.Clamp(threads, 1, Math.Max(1, _blocks));
            _cancellationToken = cancellationToken;
            _minDistance = new float[_n];
            _tile = new float[_workers][];
            _partialSums = new double[_workers][];
            _partialCounts = new long[_workers][];
            _partialScalars = new double[_workers][];
            for (int w = 0; w < _workers; w++)
            {
                _tile[w] = new float[Math.Min(BlockRows, _n) * columns];
                _partialSums[w] = new double[k * _d];
                _partialCounts[w] = new long[k];
                _partialScalars[w] = new double[columns];
            }

            _sums = new double[k * _d];
            _counts = new long[k];
            _scalars = new double[columns];
            _xNorms = new float[_n];
            Parallel.For(0, _blocks, new ParallelOptions { MaxDegreeOfParallelism = _workers }, block =>
            {
                (int start, int end) = Range(block);
                for (int i = start; i < end; i++)
                {
                    _xNorms[i] = VectorMath.SumOfSquares(_x.Row(i));
                }
            });

            // A non-finite value anywhere in a row makes its norm non-finite (or NaN): one cheap scan finds the first.
            int bad = Array.FindIndex(_xNorms, v => !float.IsFinite(v));
            if (bad >= 0)
            {
                throw new ScarInputException("embeddings", $"row {bad} contains NaN or infinity; k-means needs finite values.");
            }
        }

        /// <summary>When set, the Lloyd iterations' nearest-centre search (the seeding always runs here).</summary>
        public ICentreAssigner? Assigner { get; set; }

        /// <summary>Lloyd iterations from <paramref name="centroids"/> (overwritten) until convergence or the iteration limit.</summary>
        public KMeansResult Lloyd(float[] centroids, KMeansOptions options)
        {
            int n = _n, d = _d, k = _k;
            double tolerance = options.Tolerance * MeanVariance();
            int[] labels = new int[n];
            int[] previous = new int[n];
            previous.AsSpan().Fill(-1);
            float[] next = new float[k * d];
            var stats = new List<KMeansIterationStats>();
            bool converged = false;
            int iterations = 0;
            var clock = new Stopwatch();
            for (int it = 1; it <= options.MaxIterations; it++)
            {
                clock.Restart();
                iterations = it;
                double objective = AssignStep(centroids, labels, accumulate: true);
                double imbalance = Imbalance();
                int empties = RelocateEmptyClusters(labels);
                Centres(centroids, next);
                double shift = 0;
                for (int i = 0; i < next.Length; i++)
                {
                    double delta = (double)next[i] - centroids[i];
                    shift += delta * delta;
                }

                (centroids, next) = (next, centroids);
                stats.Add(new KMeansIterationStats(it, objective, clock.Elapsed.TotalSeconds, imbalance, empties));
                Telemetry.ScarTelemetry.RecordKMeansIteration(clock.Elapsed.TotalSeconds, objective, distributed: false);
                if (labels.AsSpan().SequenceEqual(previous) || shift <= tolerance)
                {
                    converged = true;
                    break;
                }

                labels.CopyTo(previous, 0);
            }

            // The last update moved the centres; re-assign so that labels and inertia match what is returned.
            double inertia = AssignStep(centroids, labels, accumulate: false);
            return new KMeansResult(centroids, k, d, labels, inertia, iterations, converged, stats);
        }

        /// <summary>Mean over dimensions of the per-dimension variance (two-pass, in double): the tolerance scale.</summary>
        public double MeanVariance()
        {
            double[] mean = new double[_d];
            OrderedBlockParallel.Run(
                _blocks,
                _workers,
                (block, w) =>
                {
                    Span<double> partial = _partialSums[w].AsSpan(0, _d);
                    partial.Clear();
                    (int start, int end) = Range(block);
                    for (int i = start; i < end; i++)
                    {
                        VectorMath.AddWidened(_x.Row(i), partial);
                    }
                },
                (_, w) => VectorMath.Add(_partialSums[w].AsSpan(0, _d), mean),
                _cancellationToken);
            for (int j = 0; j < _d; j++)
            {
                mean[j] /= _n;
            }

            double total = 0;
            OrderedBlockParallel.Run(
                _blocks,
                _workers,
                (block, w) =>
                {
                    double s = 0;
                    (int start, int end) = Range(block);
                    for (int i = start; i < end; i++)
                    {
                        Span<float> row = _x.Row(i);
                        for (int j = 0; j < _d; j++)
                        {
                            double delta = row[j] - mean[j];
                            s += delta * delta;
                        }
                    }

                    _partialScalars[w][0] = s;
                },
                (_, w) => total += _partialScalars[w][0],
                _cancellationToken);
            return total / _n / _d;
        }

        /// <summary>Greedy k-means++ (scikit-learn's <c>_kmeans_plusplus</c>) from <paramref name="seed"/>.</summary>
        public float[] SeedPlusPlus(int trials, ulong seed)
        {
            var rng = new DeterministicRandom(seed);
            float[] centroids = new float[_k * _d];
            float[] candidates = new float[trials * _d];
            float[] candidateNorms = new float[trials];
            int[] candidateIds = new int[trials];
            float[] candidateDistance = new float[(long)trials * _n > int.MaxValue ? throw new InvalidOperationException("too many rows × local trials") : trials * _n];
            double[] cumulative = new double[_n];

            int first = rng.NextInt(_n);
            _x.Row(first).CopyTo(candidates);
            candidateNorms[0] = _xNorms[first];
            double potential = CandidateDistances(candidates, candidateNorms, 1, candidateDistance, first: true)[0];
            candidateDistance.AsSpan(0, _n).CopyTo(_minDistance);
            _x.Row(first).CopyTo(centroids.AsSpan(0, _d));

            double[] potentials = new double[trials];
            for (int c = 1; c < _k; c++)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                double running = 0;
                for (int i = 0; i < _n; i++)
                {
                    running += _minDistance[i];
                    cumulative[i] = running;
                }

                for (int t = 0; t < trials; t++)
                {
                    // numpy's searchsorted(side="left"), clipped to the last row as scikit-learn does.
                    double target = rng.NextDouble() * potential;
                    int index = LowerBound(cumulative, target);
                    candidateIds[t] = Math.Min(index, _n - 1);
                    _x.Row(candidateIds[t]).CopyTo(candidates.AsSpan(t * _d, _d));
                    candidateNorms[t] = _xNorms[candidateIds[t]];
                }

                CandidateDistances(candidates, candidateNorms, trials, candidateDistance, first: false).AsSpan(0, trials).CopyTo(potentials);
                int best = 0;
                for (int t = 1; t < trials; t++)
                {
                    if (potentials[t] < potentials[best])
                    {
                        best = t;
                    }
                }

                potential = potentials[best];
                candidateDistance.AsSpan(best * _n, _n).CopyTo(_minDistance);
                _x.Row(candidateIds[best]).CopyTo(centroids.AsSpan(c * _d, _d));
            }

            return centroids;
        }

        /// <summary>
        /// For each candidate t, distance[t·n + i] = min(current closest distance of row i, ‖x_i − cand_t‖²);
        /// on the <paramref name="first"/> call there is no closest distance yet. Returns the per-candidate potential Σ_i of that (shared buffer, valid until the next call).
        /// </summary>
        private double[] CandidateDistances(float[] candidates, float[] candidateNorms, int count, float[] distance, bool first)
        {
            _scalars.AsSpan().Clear();
            OrderedBlockParallel.Run(
                _blocks,
                _workers,
                (block, w) =>
                {
                    (int start, int end) = Range(block);
                    int rows = end - start;
                    float[] tile = _tile[w];
                    Gemm.Sgemm(false, true, rows, count, _d, -2f, _x.Data.AsSpan(start * _d, rows * _d), _d, candidates, _d, 0f, tile, count);
                    double[] partial = _partialScalars[w];
                    partial.AsSpan(0, count).Clear();
                    for (int r = 0; r < rows; r++)
                    {
                        int i = start + r;
                        for (int t = 0; t < count; t++)
                        {
                            float dist = Math.Max(0f, _xNorms[i] + candidateNorms[t] + tile[(r * count) + t]);
                            if (!first && _minDistance[i] < dist)
                            {
                                dist = _minDistance[i];
                            }

                            distance[(t * _n) + i] = dist;
                            partial[t] += dist;
                        }
                    }
                },
                (_, w) =>
                {
                    for (int t = 0; t < count; t++)
                    {
                        _scalars[t] += _partialScalars[w][t];
                    }
                },
                _cancellationToken);
            return _scalars;
        }

        /// <summary>
        /// Assigns every row to its nearest centre (ties to the lowest index), records its squared distance, and
        /// when <paramref name="accumulate"/> sums rows per cluster for the update. Returns the inertia.
        /// </summary>
        public double AssignStep(float[] centroids, int[] labels, bool accumulate)
        {
            float[] centreNorms = new float[_k];
            for (int j = 0; j < _k; j++)
            {
                centreNorms[j] = VectorMath.SumOfSquares(centroids.AsSpan(j * _d, _d));
            }

            double inertia = 0;
            if (accumulate)
            {
                _sums.AsSpan().Clear();
                _counts.AsSpan().Clear();
            }

            if (Assigner is not null)
            {
                return AssignExternally(centroids, centreNorms, labels, accumulate);
            }

            OrderedBlockParallel.Run(
                _blocks,
                _workers,
                (block, w) =>
                {
                    (int start, int end) = Range(block);
                    int rows = end - start;
                    float[] tile = _tile[w];
                    Gemm.Sgemm(false, true, rows, _k, _d, -2f, _x.Data.AsSpan(start * _d, rows * _d), _d, centroids, _d, 0f, tile, _k);
                    double objective = 0;
                    double[] sums = _partialSums[w];
                    long[] counts = _partialCounts[w];
                    if (accumulate)
                    {
                        sums.AsSpan().Clear();
                        counts.AsSpan().Clear();
                    }

                    for (int r = 0; r < rows; r++)
                    {
                        int best = VectorMath.ArgMinOfSum(tile.AsSpan(r * _k, _k), centreNorms, out float bestValue);
                        int i = start + r;
                        float dist = Math.Max(0f, _xNorms[i] + bestValue);
                        labels[i] = best;
                        _minDistance[i] = dist;
                        objective += dist;
                        if (accumulate)
                        {
                            VectorMath.AddWidened(_x.Row(i), sums.AsSpan(best * _d, _d));
                            counts[best]++;
                        }
                    }

                    _partialScalars[w][0] = objective;
                },
                (_, w) =>
                {
                    inertia += _partialScalars[w][0];
                    if (accumulate)
                    {
                        VectorMath.Add(_partialSums[w], _sums);
                        for (int j = 0; j < _k; j++)
                        {
                            _counts[j] += _partialCounts[w][j];
                        }
                    }
                },
                _cancellationToken);
            return inertia;
        }

        /// <summary>
        /// <see cref="AssignStep"/> with the labels and distances (and, when it offers them, the per-cluster sums)
        /// from <see cref="Assigner"/>; the inertia and any sums it leaves are folded here in block order.
        /// </summary>
        private double AssignExternally(float[] centroids, float[] centreNorms, int[] labels, bool accumulate)
        {
            bool summed = Assigner!.Assign(centroids, centreNorms, labels, _minDistance, accumulate ? _sums : null, accumulate ? _counts : null);
            double inertia = 0;
            OrderedBlockParallel.Run(
                _blocks,
                _workers,
                (block, w) =>
                {
                    (int start, int end) = Range(block);
                    double objective = 0;
                    double[] sums = _partialSums[w];
                    long[] counts = _partialCounts[w];
                    bool sum = accumulate && !summed;
                    if (sum)
                    {
                        sums.AsSpan().Clear();
                        counts.AsSpan().Clear();
                    }

                    for (int i = start; i < end; i++)
                    {
                        int best = labels[i];
                        if ((uint)best >= (uint)_k)
                        {
                            throw new InvalidOperationException($"the centre assigner labelled row {i} with {best}, outside [0, {_k}).");
                        }

                        objective += _minDistance[i];
                        if (sum)
                        {
                            VectorMath.AddWidened(_x.Row(i), sums.AsSpan(best * _d, _d));
                            counts[best]++;
                        }
                    }

                    _partialScalars[w][0] = objective;
                },
                (_, w) =>
                {
                    inertia += _partialScalars[w][0];
                    if (accumulate && !summed)
                    {
                        VectorMath.Add(_partialSums[w], _sums);
                        for (int j = 0; j < _k; j++)
                        {
                            _counts[j] += _partialCounts[w][j];
                        }
                    }
                },
                _cancellationToken);
            return inertia;
        }

        /// <summary>Largest cluster over the mean cluster size, from the last accumulated assignment.</summary>
        public double Imbalance()
        {
            long max = 0;
            foreach (long count in _counts)
            {
                max = Math.Max(max, count);
            }

            return max / ((double)_n / _k);
        }

        /// <summary>
        /// scikit-learn's <c>_relocate_empty_clusters</c>: each empty cluster, in index order, takes the row
        /// farthest from its assigned centre that no other empty cluster took (ties to the lowest row). A row
        /// whose cluster would itself become empty is skipped, so no relocation creates a new empty cluster.
        /// </summary>
        public int RelocateEmptyClusters(int[] labels)
        {
            int relocated = 0;
            for (int j = 0; j < _k; j++)
            {
                if (_counts[j] != 0)
                {
                    continue;
                }

                int far = -1;
                float farDistance = -1f;
                for (int i = 0; i < _n; i++)
                {
                    if (_minDistance[i] > farDistance && _counts[labels[i]] > 1)
                    {
                        far = i;
                        farDistance = _minDistance[i];
                    }
                }

                if (far < 0)
                {
                    break; // n ≥ k guarantees a donor; defensive only.
                }

                int donor = labels[far];
                Span<float> row = _x.Row(far);
                Span<double> donorSum = _sums.AsSpan(donor * _d, _d);
                Span<double> sum = _sums.AsSpan(j * _d, _d);
                for (int t = 0; t < _d; t++)
                {
                    donorSum[t] -= row[t];
                    sum[t] = row[t];
                }

                _counts[donor]--;
                _counts[j] = 1;
                labels[far] = j;
                _minDistance[far] = -1f; // taken: never chosen again
                relocated++;
            }

            return relocated;
        }

        /// <summary>New centres: the mean of each cluster; a cluster with no rows keeps its old centre.</summary>
        public void Centres(float[] old, float[] next)
        {
            for (int j = 0; j < _k; j++)
            {
                Span<float> centre = next.AsSpan(j * _d, _d);
                if (_counts[j] == 0)
                {
                    old.AsSpan(j * _d, _d).CopyTo(centre);
                    continue;
                }

                double scale = 1.0 / _counts[j];
                ReadOnlySpan<double> sum = _sums.AsSpan(j * _d, _d);
                for (int t = 0; t < _d; t++)
                {
                    centre[t] = (float)(sum[t] * scale);
                }
            }
        }

        private (int Start, int End) Range(int block)
        {
            int start = block * BlockRows;
            return (start, Math.Min(_n, start + BlockRows));
        }

        private static int LowerBound(double[] sorted, double value)
        {
            int lo = 0, hi = sorted.Length;
            while (lo < hi)
            {
                int mid = (int)((uint)(lo + hi) >> 1);
                if (sorted[mid] < value)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            return lo;
        }
    }
}
