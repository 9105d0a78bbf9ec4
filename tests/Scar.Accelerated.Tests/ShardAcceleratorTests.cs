using Scar.Core;
using Scar.Core.Distributed;
using Scar.Core.IO;
using Scar.Core.Numerics;

namespace Scar.Accelerated.Tests;

/// <summary>
/// Embedding shards with their k-means assignment and probe gradient on <see cref="OnnxShardAccelerator"/> (ONNX
/// Runtime's CPU provider here, CUDA on a GPU silo) against the same shards on the managed kernels.
/// </summary>
public sealed class ShardAcceleratorTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"scar-shard-accel-{Guid.NewGuid():N}");

    public ShardAcceleratorTests() => Directory.CreateDirectory(_folder);

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

    [Fact]
    public void A_shards_probe_gradient_on_the_accelerator_matches_the_managed_kernel_and_its_device_copy_lives_until_the_measures()
    {
        const int n = 900, d = 48, k = 5;
        var (path, labelsPath, poolPath) = Data(n, d, k, seed: 3);
        var spec = new ShardSpec(path, 100, 600);
        var subset = new SubsetSpec(poolPath, labelsPath, 0, null, null);
        using var accelerator = new OnnxShardAccelerator(AcceleratorProvider.Cpu, threads: 1);
        Assert.Equal("CPU", accelerator.Provider);
        var managed = new EmbeddingShard(spec);
        var accelerated = new EmbeddingShard(spec, accelerator);
        var random = new DeterministicRandom(11);
        float invN = 1f / 777; // the probe's rows in all shards, not this shard's
        for (int epoch = 0; epoch < 3; epoch++)
        {
            float[] w = Enumerable.Range(0, d * k).Select(_ => (float)(random.NextGaussian() * 0.3)).ToArray();
            float[] b = Enumerable.Range(0, k).Select(_ => (float)random.NextGaussian()).ToArray();
            GradientSums expected = managed.Gradient(subset, k, w, b, invN);
            GradientSums actual = accelerated.Gradient(subset, k, w, b, invN);
            Close(expected.GradW, actual.GradW, "gradW");
            Close(expected.GradB, actual.GradB, "gradB");
            Assert.Equal(expected.Loss, actual.Loss, expected.Loss * 1e-5);
            Assert.Equal(expected.Correct, actual.Correct);
        }

        // One gradient source for the probe, kept across its epochs, with one graph session for the probe's shape.
        Assert.Equal(1, accelerated.AcceleratedProbes);
        Assert.Equal(1, accelerator.SessionsOpened);

        // The measures come after training: the device copy goes then, and the managed measures are unchanged.
        float[] wf = new float[d * k], bf = new float[k];
        var stats = accelerated.Statistics(subset, k, wf, bf);
        Assert.Equal(0, accelerated.AcceleratedProbes);
        Assert.Equal(managed.Statistics(subset, k, wf, bf).Correct, stats.Correct);
    }

    [Fact]
    public void A_shard_without_rows_of_the_subset_answers_zeros_without_the_accelerator()
    {
        const int n = 300, d = 40, k = 3;
        var (path, labelsPath, _) = Data(n, d, k, seed: 4);
        string emptyPool = Path.Combine(_folder, "pool-empty.npy");
        NpyFile.WriteIntVector(emptyPool, [0, 1, 2]); // rows outside the shard below
        using var accelerator = new OnnxShardAccelerator(AcceleratorProvider.Cpu, threads: 1);
        var shard = new EmbeddingShard(new ShardSpec(path, 100, 200), accelerator);
        var sums = shard.Gradient(new SubsetSpec(emptyPool, labelsPath, 0, null, null), k, new float[d * k], new float[k], 1f);
        Assert.All(sums.GradW, v => Assert.Equal(0, v));
        Assert.Equal(0, sums.Loss);
        Assert.Equal(0, shard.AcceleratedProbes);
    }

    [Fact]
    public void A_shards_assignment_on_the_accelerator_matches_the_managed_one()
    {
        const int n = 1200, d = 24, k = 6;
        var (path, _, _) = Data(n, d, k, seed: 5);
        var spec = new ShardSpec(path, 0, n);
        using var accelerator = new OnnxShardAccelerator(AcceleratorProvider.Cpu, threads: 1);
        var managed = new EmbeddingShard(spec);
        var accelerated = new EmbeddingShard(spec, accelerator);
        float[] centres = Enumerable.Range(0, k).SelectMany(c => managed.Data.Row(c * 7).ToArray()).ToArray();

        KMeansPartial expected = managed.Assign("run", centres, k);
        KMeansPartial actual = accelerated.Assign("run", centres, k);
        Assert.Equal(managed.Assignments("run"), accelerated.Assignments("run"));
        Assert.Equal(expected.Counts, actual.Counts);
        Close(expected.Sums, actual.Sums, "sums");
        Assert.Equal(expected.Inertia, actual.Inertia, expected.Inertia * 1e-4);

        // The run's assigner is released with the run.
        accelerated.Release("run");
        Assert.Throws<ShardStateLostException>(() => accelerated.Assignments("run"));
    }

    [Fact]
    public async Task Distributed_kmeans_over_accelerated_shards_gives_the_managed_clusters_with_one_session()
    {
        const int n = 2400, d = 16, k = 5;
        var (path, _, _) = Data(n, d, k, seed: 6);
        using var accelerator = new OnnxShardAccelerator(AcceleratorProvider.Cpu, threads: 1);
        var options = new KMeansOptions { K = k, MaxIterations = 20, Seed = 7 };
        var managed = await DistributedKMeans.FitAsync(new LocalShardProvider(400).Open(path, n), d, options);
        var accelerated = await DistributedKMeans.FitAsync(new LocalShardProvider(400, accelerator).Open(path, n), d, options);

        Assert.Equal(managed.Assignments, accelerated.Assignments);
        Assert.Equal(managed.Inertia, accelerated.Inertia, managed.Inertia * 1e-4);
        Assert.Equal(1, accelerator.SessionsOpened); // six shards, one k-means graph session
    }

    [Fact]
    public void CUDA_on_a_machine_without_it_is_refused_with_the_reason()
    {
        if (CudaRuntime.LibrariesPresent())
        {
            return; // a GPU machine: the CUDA path is bench/gpu/run.sh's
        }

        var error = Assert.Throws<AcceleratorUnavailableException>(() => new OnnxShardAccelerator(AcceleratorProvider.Cuda));
        Assert.Contains("libcudart", error.Message);
        using var auto = new OnnxShardAccelerator(AcceleratorProvider.Auto, threads: 1);
        Assert.Equal("CPU", auto.Provider);
    }

    private (string Path, string Labels, string Pool) Data(int n, int d, int k, ulong seed)
    {
        var random = new DeterministicRandom(seed);
        float[] means = Enumerable.Range(0, k * d).Select(_ => (float)(random.NextGaussian() * 3)).ToArray();
        var x = new FloatMatrix(n, d);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            int c = random.NextInt(k);
            labels[i] = c;
            for (int j = 0; j < d; j++)
            {
                x.Row(i)[j] = means[(c * d) + j] + (float)random.NextGaussian();
            }
        }

        string path = Path.Combine(_folder, $"x-{seed}.npy"), labelsPath = Path.Combine(_folder, $"labels-{seed}.npy"), poolPath = Path.Combine(_folder, $"pool-{seed}.npy");
        NpyFile.WriteMatrix(path, x);
        NpyFile.WriteIntVector(labelsPath, labels);
        NpyFile.WriteIntVector(poolPath, Enumerable.Range(0, n).Where(i => i % 5 != 2).ToArray());
        return (path, labelsPath, poolPath);
    }

    private static void Close(double[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * scale, $"{what}[{i}]: managed {expected[i]:R}, accelerated {actual[i]:R} (largest {scale:R})");
        }
    }
}
