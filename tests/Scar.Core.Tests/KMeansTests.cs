using Scar.Core.Numerics;

namespace Scar.Core.Tests;

public sealed class KMeansTests
{
    [Fact]
    public void Recovers_well_separated_blobs_exactly()
    {
        (FloatMatrix x, int[] truth) = Blobs(k: 6, perCluster: 700, dim: 24, spread: 0.05, seed: 5);
        KMeansResult result = KMeans.Fit(x, new KMeansOptions { K = 6, Seed = 42 });

        // Same partition up to a permutation of cluster ids.
        var map = new Dictionary<int, int>();
        for (int i = 0; i < truth.Length; i++)
        {
            if (map.TryGetValue(truth[i], out int mapped))
            {
                Assert.Equal(mapped, result.Assignments[i]);
            }
            else
            {
                map[truth[i]] = result.Assignments[i];
            }
        }

        Assert.Equal(6, map.Values.Distinct().Count());
        Assert.True(result.Converged);
        Assert.Equal(6 * 24, result.Centroids.Length);
    }

    [Fact]
    public void Objective_never_increases_and_inertia_matches_assignment()
    {
        (FloatMatrix x, _) = Blobs(k: 12, perCluster: 400, dim: 16, spread: 0.8, seed: 9);
        KMeansResult result = KMeans.Fit(x, new KMeansOptions { K = 9, Seed = 1, Tolerance = 0 });
        Assert.True(result.Stats.Count >= 2);
        for (int i = 1; i < result.Stats.Count; i++)
        {
            double before = result.Stats[i - 1].Objective, after = result.Stats[i].Objective;
            Assert.True(after <= before * (1 + 1e-6), $"iteration {i + 1}: {after} > {before}");
        }

        int[] again = KMeans.Assign(x, result.Centroids, result.K, out double inertia);
        Assert.Equal(result.Assignments, again);
        Assert.Equal(result.Inertia, inertia, 6);
        Assert.True(result.Inertia <= result.Stats[^1].Objective * (1 + 1e-6));
    }

    [Fact]
    public void Assign_breaks_ties_to_the_lowest_index()
    {
        var x = new FloatMatrix(2, 1, [0f, 2f]);
        int[] labels = KMeans.Assign(x, [1f, 1f, 5f], 3, out double inertia);
        Assert.Equal([0, 0], labels);
        Assert.Equal(2.0, inertia, 6);
    }

    [Fact]
    public void Empty_cluster_takes_the_farthest_row_deterministically()
    {
        // Four identical rows at 0 and two far rows: once 10 and 11 are centres the potential is 0, so k-means++
        // seeds a duplicate centre at 0. Ties go to the lowest index, so one duplicate starts empty and must
        // take a row (all distances are 0: the lowest-index row of a cluster with rows to spare, row 0).
        var x = new FloatMatrix(6, 1, [0f, 0f, 0f, 0f, 10f, 11f]);
        KMeansResult a = KMeans.Fit(x, new KMeansOptions { K = 4, Seed = 3 });
        KMeansResult b = KMeans.Fit(x, new KMeansOptions { K = 4, Seed = 3 });
        Assert.Equal(a.Assignments, b.Assignments);
        Assert.Equal(a.Centroids, b.Centroids);
        Assert.Contains(a.Stats, s => s.EmptyClustersSplit > 0);
        Assert.Equal(1, a.Stats[0].EmptyClustersSplit);
        Assert.Equal(2, a.Centroids.Count(c => c == 0f));

        // The final assignment follows the returned centres: the zeros tie and go to the lower duplicate.
        Assert.Equal(3, a.Assignments.Distinct().Count());
        Assert.NotEqual(a.Assignments[4], a.Assignments[5]);
        Assert.Equal(0.0, a.Inertia, 6);
    }

    [Fact]
    public void Too_few_rows_is_an_input_error_with_a_precise_message()
    {
        var x = new FloatMatrix(5, 3);
        var error = Assert.Throws<ScarInputException>(() => KMeans.Fit(x, new KMeansOptions { K = 12 }));
        Assert.Equal("--k", error.Input);
        Assert.Equal("k = 12 clusters need at least 12 rows; the embeddings have 5. Lower --k or add rows.", error.Detail);
    }

    [Fact]
    public void K_below_two_is_an_input_error()
    {
        var x = new FloatMatrix(5, 3);
        var error = Assert.Throws<ScarInputException>(() => KMeans.Fit(x, new KMeansOptions { K = 1 }));
        Assert.Equal("--k", error.Input);
        Assert.Contains("at least 2", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Nan_is_an_input_error()
    {
        var x = new FloatMatrix(3, 2, [0f, 1f, float.NaN, 2f, 3f, 4f]);
        var error = Assert.Throws<ScarInputException>(() => KMeans.Fit(x, new KMeansOptions { K = 2 }));
        Assert.Contains("row 1", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Same_seed_same_result_and_different_seed_may_differ()
    {
        (FloatMatrix x, _) = Blobs(k: 8, perCluster: 300, dim: 10, spread: 1.5, seed: 2);
        KMeansResult a = KMeans.Fit(x, new KMeansOptions { K = 8, Seed = 7 });
        KMeansResult b = KMeans.Fit(x, new KMeansOptions { K = 8, Seed = 7 });
        Assert.Equal(a.Centroids, b.Centroids);
        Assert.Equal(a.Assignments, b.Assignments);
        Assert.Equal(a.Inertia, b.Inertia);
    }

    [Fact]
    public void Result_does_not_depend_on_thread_count()
    {
        // More than one 2048-row block, so the ordered reduction across workers is exercised.
        (FloatMatrix x, _) = Blobs(k: 10, perCluster: 900, dim: 20, spread: 2.0, seed: 4);
        KMeansResult one = KMeans.Fit(x, new KMeansOptions { K = 10, Threads = 1, MaxIterations = 20 });
        foreach (int threads in new[] { 2, 4 })
        {
            KMeansResult many = KMeans.Fit(x, new KMeansOptions { K = 10, Threads = threads, MaxIterations = 20 });
            Assert.Equal(one.Centroids, many.Centroids);
            Assert.Equal(one.Assignments, many.Assignments);
            Assert.Equal(one.Inertia, many.Inertia);
            Assert.Equal(one.Stats.Select(s => s.Objective), many.Stats.Select(s => s.Objective));
        }
    }

    [Fact]
    public void N_equal_k_puts_every_row_in_its_own_cluster()
    {
        var x = new FloatMatrix(4, 2, [0f, 0f, 1f, 0f, 0f, 1f, 5f, 5f]);
        KMeansResult result = KMeans.Fit(x, new KMeansOptions { K = 4 });
        Assert.Equal(4, result.Assignments.Distinct().Count());
        Assert.Equal(0.0, result.Inertia, 9);
    }

    internal static (FloatMatrix X, int[] Labels) Blobs(int k, int perCluster, int dim, double spread, ulong seed)
    {
        var rng = new DeterministicRandom(seed);
        float[] centres = new float[k * dim];
        for (int i = 0; i < centres.Length; i++)
        {
            centres[i] = (float)(rng.NextGaussian() * 10);
        }

        int n = k * perCluster;
        var x = new FloatMatrix(n, dim);
        int[] labels = new int[n];
        int[] order = Enumerable.Range(0, n).ToArray();
        rng.Shuffle(order.AsSpan());
        for (int i = 0; i < n; i++)
        {
            int c = order[i] % k;
            labels[i] = c;
            Span<float> row = x.Row(i);
            for (int j = 0; j < dim; j++)
            {
                row[j] = centres[(c * dim) + j] + (float)(rng.NextGaussian() * spread);
            }
        }

        return (x, labels);
    }
}
