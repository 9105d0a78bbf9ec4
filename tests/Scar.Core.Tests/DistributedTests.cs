using System.Text.Json;
using Scar.Core.Distributed;
using Scar.Core.IO;
using Scar.Core.Measures;
using Scar.Core.Numerics;
using Scar.Core.Pipeline;

namespace Scar.Core.Tests;

/// <summary>The shard map steps and their reducers against the in-memory reference computations.</summary>
public sealed class DistributedTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"scar-distributed-{Guid.NewGuid():N}");

    public DistributedTests() => Directory.CreateDirectory(_folder);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(5, 7)]
    [InlineData(30, 3)]
    public async Task Key_threshold_subsets_across_shards_equal_the_in_memory_draw(int ratio, int shardRows)
    {
        var random = new DeterministicRandom(5);
        int n = 997, k = 4;
        var labels = Enumerable.Range(0, n).Select(_ => random.NextInt(k)).ToArray();
        var pool = Enumerable.Range(0, n).Where(i => i % 7 != 3).ToArray();
        var x = new FloatMatrix(n, 2);
        string embeddings = Write("x.npy", x), labelsPath = Path.Combine(_folder, "labels.npy"), poolPath = Path.Combine(_folder, "pool.npy");
        NpyFile.WriteIntVector(labelsPath, labels);
        NpyFile.WriteIntVector(poolPath, pool);
        var shards = new LocalShardProvider(shardRows * 100).Open(embeddings, n);

        var subset = await SubsetSelection.SelectAsync(shards, poolPath, labelsPath, 99UL, k, ratio, CancellationToken.None);
        var fromShards = new List<int>();
        var local = ShardPlan.Plan(embeddings, n, shardRows * 100).Select(s => new EmbeddingShard(s)).ToArray();
        foreach (var shard in local)
        {
            fromShards.AddRange(shard.SubsetRows(subset).Select(r => (int)(shard.Spec.Start + r)));
        }

        int[] expected = StratifiedSampler.Sample(pool, labels, k, ratio, 99UL);
        Assert.Equal(expected, fromShards.Order());
        for (int c = 0; c < k; c++)
        {
            Assert.Equal(pool.Count(r => labels[r] == c) / ratio, expected.Count(r => labels[r] == c));
        }
    }

    [Fact]
    public void A_shard_serving_probes_of_different_class_counts_gives_each_its_own_gradient()
    {
        var random = new DeterministicRandom(12);
        int n = 300, d = 40;
        var x = new FloatMatrix(n, d);
        for (int i = 0; i < x.Data.Length; i++)
        {
            x.Data[i] = (float)random.NextGaussian();
        }

        string embeddings = Write("mixed-classes.npy", x), poolPath = Path.Combine(_folder, "mixed-pool.npy");
        NpyFile.WriteIntVector(poolPath, Enumerable.Range(0, n).ToArray());
        var shared = new EmbeddingShard(new ShardSpec(embeddings, 0, n));
        foreach (int k in new[] { 3, 5, 3, 7, 5 })
        {
            string labelsPath = Path.Combine(_folder, $"mixed-labels-{k}.npy");
            NpyFile.WriteIntVector(labelsPath, Enumerable.Range(0, n).Select(i => i % k).ToArray());
            var subset = new SubsetSpec(poolPath, labelsPath, 0, null, null);
            float[] w = Enumerable.Range(0, d * k).Select(i => (float)Math.Sin(i)).ToArray(), b = new float[k];
            var expected = new EmbeddingShard(new ShardSpec(embeddings, 0, n)).Gradient(subset, k, w, b, 1f / n);
            var actual = shared.Gradient(subset, k, w, b, 1f / n);
            Assert.Equal(expected.GradW, actual.GradW);
            Assert.Equal(expected.GradB, actual.GradB);
            Assert.Equal(expected.Loss, actual.Loss);
        }
    }

    public static TheoryData<int> Cases() => MeasuresConformance.Indexes("measures");

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Measures_reduced_from_shards_match_the_reference_vectors(int index)
    {
        using JsonDocument doc = MeasuresConformance.MeasuresJson();
        var c = doc.RootElement.GetProperty("measures")[index];
        double ratio = c.GetProperty("ratio").GetDouble();
        int[] labels = c.GetProperty("labels").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var rows = c.GetProperty("logits").EnumerateArray().ToArray();
        int n = rows.Length, k = rows[0].GetArrayLength();
        // Embeddings equal to the logits and an identity probe: the shards see exactly these logits (as float32).
        var x = new FloatMatrix(n, k);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < k; j++)
            {
                x.Row(i)[j] = (float)rows[i][j].GetDouble();
            }
        }

        string embeddings = Write($"logits-{index}.npy", x), labelsPath = Path.Combine(_folder, $"labels-{index}.npy"), poolPath = Path.Combine(_folder, $"pool-{index}.npy");
        NpyFile.WriteIntVector(labelsPath, labels);
        NpyFile.WriteIntVector(poolPath, Enumerable.Range(0, n).ToArray());
        var w = new float[k * k];
        for (int j = 0; j < k; j++)
        {
            w[(j * k) + j] = 1f;
        }

        var b = new float[k];
        var subset = new SubsetSpec(poolPath, labelsPath, 0, null, null);
        var shards = new LocalShardProvider(37).Open(embeddings, n);
        var stats = ShardedProbeTrainer.Merge(await ShardCalls.AllAsync(shards, s => s.StatisticsAsync(subset, k, w, b, CancellationToken.None)), k);
        var parts = await ShardCalls.AllAsync(shards, s => s.CoverageHistogramsAsync(subset, k, w, b, stats.GroupMin, stats.GroupMax, CancellationToken.None));
        var histograms = new long[parts[0].Length];
        foreach (var part in parts)
        {
            for (int i = 0; i < histograms.Length; i++)
            {
                histograms[i] += part[i];
            }
        }

        SubsetMeasures reduced = ShardedProbeTrainer.Finalize(stats, histograms, k, ratio);
        SubsetMeasures inMemory = ScarMeasures.Compute(x.Data, n, k, labels, ratio);
        var expected = c.GetProperty("expected");
        MeasuresConformance.Close(expected.GetProperty("train_accuracy").GetDouble(), reduced.TrainAccuracy, 1e-9, "train_accuracy");
        for (int t = 0; t < k; t++)
        {
            var e = expected.GetProperty("tasks")[t];
            MeasuresConformance.Close(inMemory.Tasks[t].Coverage, reduced.Tasks[t].Coverage, 1e-9, $"task {t} coverage vs in-memory");
            MeasuresConformance.Close(inMemory.Tasks[t].Richness, reduced.Tasks[t].Richness, 1e-12, $"task {t} richness vs in-memory");
            MeasuresConformance.Close(e.GetProperty("scale").GetDouble(), reduced.Tasks[t].Scale, 1e-9, $"task {t} scale");
            MeasuresConformance.Close(e.GetProperty("authenticity").GetDouble(), reduced.Tasks[t].Authenticity, 1e-9, $"task {t} authenticity");
            MeasuresConformance.Close(e.GetProperty("richness").GetDouble(), reduced.Tasks[t].Richness, 1e-9, $"task {t} richness");
            // The shards see float32 logits; the reference saw the JSON's doubles.
            MeasuresConformance.Close(e.GetProperty("coverage").GetDouble(), reduced.Tasks[t].Coverage, 1e-5, $"task {t} coverage");
        }
    }

    [Fact]
    public async Task A_sharded_probe_starts_from_its_initial_model()
    {
        // The benchmark hands InitialModel to the Python peer as its starting point: with a zero learning rate the
        // probe never moves, so its measures must be those of the initial weights on the same subset.
        var random = new DeterministicRandom(8);
        int n = 600, d = 6, k = 3, ratio = 2;
        var x = new FloatMatrix(n, d);
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = random.NextInt(k);
            for (int j = 0; j < d; j++)
            {
                x.Row(i)[j] = (float)((j == labels[i] ? 1.5 : 0.0) + random.NextGaussian());
            }
        }

        string embeddings = Write("init-x.npy", x), labelsPath = Path.Combine(_folder, "init-labels.npy"), poolPath = Path.Combine(_folder, "init-pool.npy");
        int[] pool = Enumerable.Range(0, n).Where(i => i % 5 != 0).ToArray();
        NpyFile.WriteIntVector(labelsPath, labels);
        NpyFile.WriteIntVector(poolPath, pool);
        NpyFile.WriteIntVector(Path.Combine(_folder, "init-test.npy"), Enumerable.Range(0, n).Where(i => i % 5 == 0).ToArray());
        var work = new ProbeWork("m/total/r2/1", embeddings, labelsPath, poolPath, Path.Combine(_folder, "init-test.npy"), k, ratio, 1, 1234UL);

        ProbeOutcome outcome = await ShardedProbeTrainer.RunAsync(new LocalShardProvider(128), work, new ProbeOptions { LearningRate = 0, MaxEpochs = 3 });

        ProbeModel initial = ShardedProbeTrainer.InitialModel(work, d);
        int[] rows = StratifiedSampler.Sample(pool, labels, k, ratio, DeterministicRandom.Derive(work.Seed, "subset"));
        Array.Sort(rows);
        var logits = new float[rows.Length * k];
        initial.Logits(x, rows, logits);
        SubsetMeasures expected = ScarMeasures.Compute(logits, rows.Length, k, rows.Select(r => labels[r]).ToArray(), ratio);
        Assert.Equal(rows.Length, outcome.SubsetSize);
        MeasuresConformance.Close(expected.TrainAccuracy, outcome.TrainAccuracy, 1e-12, "train accuracy");
        for (int c = 0; c < k; c++)
        {
            MeasuresConformance.Close(expected.Tasks[c].Authenticity, outcome.Authenticity[c], 1e-12, $"task {c} authenticity");
            MeasuresConformance.Close(expected.Tasks[c].Richness, outcome.Richness[c], 1e-12, $"task {c} richness");
            MeasuresConformance.Close(expected.Tasks[c].Coverage, outcome.Coverage[c], 1e-9, $"task {c} coverage");
        }

        // And they are nn.Linear's: uniform within ±1/√d, not all equal.
        Assert.All(initial.Weights, v => Assert.InRange(Math.Abs(v), 0, 1 / Math.Sqrt(d)));
        Assert.True(initial.Weights.Distinct().Count() > (d * k) / 2);
    }

    [Fact]
    public async Task Distributed_kmeans_recovers_separated_blobs_whatever_the_shard_count()
    {
        var random = new DeterministicRandom(3);
        int n = 900, d = 8, k = 3;
        var x = new FloatMatrix(n, d);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                x.Row(i)[j] = (float)((j == i % k ? 10.0 : 0.0) + (0.3 * random.NextGaussian()));
            }
        }

        string path = Write("blobs.npy", x);
        var options = new KMeansOptions { K = k, Seed = 11 };
        var one = await DistributedKMeans.FitAsync(new LocalShardProvider(10_000).Open(path, n), d, options);
        var many = await DistributedKMeans.FitAsync(new LocalShardProvider(128).Open(path, n), d, options);
        Assert.True(one.Converged);
        Assert.Equal(one.Assignments, many.Assignments);
        for (int i = k; i < n; i++)
        {
            Assert.Equal(one.Assignments[i % k], one.Assignments[i]);
        }

        Assert.Equal(3, one.Assignments.Distinct().Count());
        Assert.All(one.Stats.Zip(one.Stats.Skip(1)), pair => Assert.True(pair.Second.Objective <= pair.First.Objective * (1 + 1e-9)));
        var tooMany = await Assert.ThrowsAsync<ScarInputException>(() => DistributedKMeans.FitAsync(new LocalShardProvider().Open(path, n), d, options with { K = 1000 }));
        Assert.Equal("--k", tooMany.Input);
    }

    private string Write(string name, FloatMatrix m)
    {
        string path = Path.Combine(_folder, name);
        NpyFile.WriteMatrix(path, m);
        return path;
    }
}
