using Scar.Accelerated.Onnx;
using Scar.Core.Numerics;

namespace Scar.Accelerated.Tests;

/// <summary>
/// The ONNX graphs against the managed kernels, on ONNX Runtime's CPU provider (so they run without a GPU); the
/// same graphs run on CUDA with <see cref="AcceleratorProvider.Cuda"/>.
/// </summary>
public sealed class OnnxAcceleratorTests
{
    [Fact]
    public void Proto_writer_encodes_varints_floats_and_nested_messages()
    {
        Assert.Equal(new byte[] { 0x08, 0xAC, 0x02 }, new ProtoWriter().Varint(1, 300).ToArray());
        Assert.Equal(new byte[] { 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, new ProtoWriter().Varint(3, -1).ToArray());
        Assert.Equal(new byte[] { 0x15, 0x00, 0x00, 0x80, 0x3F }, new ProtoWriter().Float(2, 1f).ToArray());
        Assert.Equal(new byte[] { 0x3A, 0x03, 0x0A, 0x01, 0x61 }, new ProtoWriter().Message(7, new ProtoWriter().String(1, "a")).ToArray());
    }

    [Fact]
    public void Assignment_matches_the_managed_labels_and_distances_on_separated_data()
    {
        (FloatMatrix x, _, float[] centres) = Blobs(k: 7, perCluster: 400, dim: 33, seed: 5);
        int k = 7;
        int[] expected = KMeans.Assign(x, centres, k, out double managedInertia);

        using var assigner = new OnnxCentreAssigner(x, k, AcceleratorProvider.Cpu);
        Assert.Equal("CPU", assigner.Provider);
        (int[] labels, float[] distances) = Run(assigner, x, centres, k);

        Assert.Equal(expected, labels);
        double inertia = 0;
        for (int i = 0; i < x.Rows; i++)
        {
            double exact = SquaredDistance(x.Row(i), centres.AsSpan(labels[i] * x.Cols, x.Cols));
            double scale = Norm2(x.Row(i)) + Norm2(centres.AsSpan(labels[i] * x.Cols, x.Cols));
            Assert.True(Math.Abs(distances[i] - exact) <= 1e-4 * Math.Max(exact, 1e-3 * scale), $"row {i}: {distances[i]} vs {exact}");
            inertia += distances[i];
        }

        Assert.Equal(managedInertia, inertia, 1e-5 * managedInertia);
    }

    [Fact]
    public void Assignment_on_random_data_differs_from_the_managed_one_only_at_float_ties()
    {
        var random = new DeterministicRandom(11);
        int n = 2000, d = 24, k = 16;
        var x = new FloatMatrix(n, d, Gaussian(random, n * d));
        float[] centres = Gaussian(random, k * d);
        int[] expected = KMeans.Assign(x, centres, k, out _);
        using var assigner = new OnnxCentreAssigner(x, k, AcceleratorProvider.Cpu);
        (int[] labels, _) = Run(assigner, x, centres, k);
        int differing = 0;
        for (int i = 0; i < n; i++)
        {
            if (labels[i] != expected[i])
            {
                differing++;
                double a = SquaredDistance(x.Row(i), centres.AsSpan(labels[i] * d, d));
                double b = SquaredDistance(x.Row(i), centres.AsSpan(expected[i] * d, d));
                double scale = Norm2(x.Row(i)) + Norm2(centres.AsSpan(labels[i] * d, d));
                Assert.True(Math.Abs(a - b) <= 1e-5 * scale, $"row {i}: label {labels[i]} ({a}) vs {expected[i]} ({b})");
            }
        }

        Assert.True(differing <= n / 100, $"{differing} of {n} labels differ");
    }

    [Fact]
    public void Device_copy_of_the_data_gives_the_same_assignment()
    {
        (FloatMatrix x, _, float[] centres) = Blobs(k: 5, perCluster: 300, dim: 20, seed: 9);
        using var direct = new OnnxCentreAssigner(x, 5, AcceleratorProvider.Cpu);
        using var uploaded = new OnnxCentreAssigner(x, 5, AcceleratorProvider.Cpu, sumOnDevice: true, threads: 0, forceUpload: true);
        Assert.True(uploaded.Uploaded);
        Assert.False(direct.Uploaded);
        (int[] a, float[] da) = Run(direct, x, centres, 5);
        (int[] b, float[] db) = Run(uploaded, x, centres, 5);
        Assert.Equal(a, b);
        Assert.Equal(da, db);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Lloyd_iterations_through_the_graph_end_near_the_managed_ones(bool sumOnDevice)
    {
        (FloatMatrix x, _, _) = Blobs(k: 6, perCluster: 350, dim: 16, seed: 21);
        var options = new KMeansOptions { K = 6, MaxIterations = 5, Tolerance = 0, Seed = 4 };
        float[] init = KMeans.Seed(x, options);
        KMeansResult managed = KMeans.FitFrom(x, init, options);
        using var assigner = new OnnxCentreAssigner(x, 6, AcceleratorProvider.Cpu, sumOnDevice);
        KMeansResult onnx = KMeans.FitFrom(x, init, options, assigner);

        Assert.Equal(managed.Iterations, onnx.Iterations);
        Assert.Equal(managed.Assignments, onnx.Assignments);
        Assert.Equal(managed.Inertia, onnx.Inertia, 1e-5 * managed.Inertia);
        float scale = managed.Centroids.Max(Math.Abs);
        for (int i = 0; i < managed.Centroids.Length; i++)
        {
            Assert.True(Math.Abs(managed.Centroids[i] - onnx.Centroids[i]) <= 1e-5 * scale, $"centre value {i}: {onnx.Centroids[i]} vs {managed.Centroids[i]}");
        }

        for (int it = 0; it < managed.Stats.Count; it++)
        {
            Assert.Equal(managed.Stats[it].Objective, onnx.Stats[it].Objective, 1e-5 * managed.Stats[it].Objective);
            Assert.Equal(managed.Stats[it].EmptyClustersSplit, onnx.Stats[it].EmptyClustersSplit);
        }
    }

    [Fact]
    public void Accelerated_fit_with_seeding_finds_the_managed_clustering()
    {
        (FloatMatrix x, _, _) = Blobs(k: 4, perCluster: 250, dim: 10, seed: 3);
        var options = new KMeansOptions { K = 4, Seed = 8 };
        KMeansResult managed = KMeans.Fit(x, options);
        KMeansResult onnx = AcceleratedNumerics.FitKMeans(x, options, AcceleratorProvider.Cpu);
        Assert.Equal(managed.Assignments, onnx.Assignments);
        Assert.True(onnx.Converged);
        Assert.Equal(managed.Inertia, onnx.Inertia, 1e-5 * managed.Inertia);
    }

    [Fact]
    public void Probe_gradient_matches_the_managed_kernel()
    {
        var random = new DeterministicRandom(2);
        int n = 1500, d = 40, k = 5;
        var x = new FloatMatrix(n, d, Gaussian(random, n * d));
        int[] allLabels = Enumerable.Range(0, n).Select(_ => random.NextInt(k)).ToArray();

        // A subset in scrambled order, as the pipeline's training folds are.
        int[] rows = Enumerable.Range(0, n).Where(i => i % 4 != 2).Reverse().ToArray();
        int[] labels = rows.Select(i => allLabels[i]).ToArray();
        var model = new ProbeModel(d, k, Gaussian(random, d * k, 0.3), Gaussian(random, k, 0.1));

        GradientSums managed = new ProbeGradientKernel(d, k, threads: 2).Compute(x, rows, labels, model, 1f / rows.Length, CancellationToken.None);
        using var source = new OnnxProbeGradient(x, rows, labels, k, AcceleratorProvider.Cpu);
        Assert.Equal("CPU", source.Provider);
        GradientSums onnx = source.Compute(model, CancellationToken.None);

        AssertClose(managed.GradW, onnx.GradW, 1e-5, "gradW");
        AssertClose(managed.GradB, onnx.GradB, 1e-5, "gradB");
        Assert.Equal(managed.Loss, onnx.Loss, 1e-5 * managed.Loss);
        Assert.Equal(managed.Correct, onnx.Correct);
    }

    [Fact]
    public void Probe_epochs_through_the_graph_end_near_the_managed_ones()
    {
        (FloatMatrix x, int[] labels, _) = Blobs(k: 4, perCluster: 300, dim: 12, seed: 8);
        int[] rows = Enumerable.Range(0, x.Rows).ToArray();
        var options = new ProbeOptions { MaxEpochs = 12, Patience = 1000, LearningRate = 1e-2 };
        ProbeTrainingResult managed = ProbeTrainer.Train(x, rows, labels, 4, options, seed: 77);
        ProbeTrainingResult onnx = AcceleratedNumerics.TrainProbe(x, rows, labels, 4, options, seed: 77, AcceleratorProvider.Cpu);

        Assert.Equal(managed.Epochs, onnx.Epochs);
        AssertClose(managed.Model.Weights.Select(v => (double)v).ToArray(), onnx.Model.Weights.Select(v => (double)v).ToArray(), 1e-3, "W");
        for (int e = 0; e < managed.LossHistory.Count; e++)
        {
            Assert.Equal(managed.LossHistory[e], onnx.LossHistory[e], 1e-4 * managed.LossHistory[e]);
            Assert.Equal(managed.AccuracyHistory[e], onnx.AccuracyHistory[e]);
        }

        Assert.Equal(managed.TrainPredictions, onnx.TrainPredictions);
    }

    [Fact]
    public void Cuda_requested_without_cuda_fails_with_a_clear_message()
    {
        if (Scar.Core.CudaRuntime.LibrariesPresent())
        {
            return; // a GPU machine: bench/gpu/run.sh exercises CUDA there
        }

        var x = new FloatMatrix(10, 3, new float[30]);
        var e = Assert.Throws<AcceleratorUnavailableException>(() => new OnnxCentreAssigner(x, 2, AcceleratorProvider.Cuda));
        Assert.Contains("CUDA was requested", e.Message, StringComparison.Ordinal);
        Assert.Contains("libcudart", e.Message, StringComparison.Ordinal);
        Assert.Throws<AcceleratorUnavailableException>(() => new OnnxProbeGradient(x, [0, 1], [0, 1], 2, AcceleratorProvider.Cuda));

        // auto falls back to the CPU provider and says so.
        using var auto = new OnnxCentreAssigner(x, 2, AcceleratorProvider.Auto);
        Assert.Equal("CPU", auto.Provider);
        Assert.Equal(AcceleratorProvider.Cuda, AcceleratorSessions.Parse("cuda"));
        Assert.Equal(AcceleratorProvider.Cpu, AcceleratorSessions.Parse("onnx-cpu"));
        Assert.Throws<ArgumentException>(() => AcceleratorSessions.Parse("tpu"));
    }

    private static (int[] Labels, float[] Distances) Run(OnnxCentreAssigner assigner, FloatMatrix x, float[] centres, int k)
    {
        int d = x.Cols;
        float[] norms = new float[k];
        for (int j = 0; j < k; j++)
        {
            norms[j] = (float)Norm2(centres.AsSpan(j * d, d));
        }

        int[] labels = new int[x.Rows];
        float[] distances = new float[x.Rows];
        Assert.False(assigner.Assign(centres, norms, labels, distances, null, null));
        return (labels, distances);
    }

    /// <summary>k well-separated Gaussian blobs, labels, and centres slightly off the true means.</summary>
    private static (FloatMatrix X, int[] Labels, float[] Centres) Blobs(int k, int perCluster, int dim, ulong seed)
    {
        var random = new DeterministicRandom(seed);
        float[] means = Gaussian(random, k * dim, 4.0);
        int n = k * perCluster;
        float[] data = new float[n * dim];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            int c = random.NextInt(k);
            labels[i] = c;
            for (int j = 0; j < dim; j++)
            {
                data[(i * dim) + j] = means[(c * dim) + j] + (float)(random.NextGaussian() * 0.5);
            }
        }

        float[] centres = means.Select(v => v + (float)(random.NextGaussian() * 0.1)).ToArray();
        return (new FloatMatrix(n, dim, data), labels, centres);
    }

    private static float[] Gaussian(DeterministicRandom random, int count, double sigma = 1.0)
    {
        float[] values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)(random.NextGaussian() * sigma);
        }

        return values;
    }

    private static double SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double t = (double)a[i] - b[i];
            s += t * t;
        }

        return s;
    }

    private static double Norm2(ReadOnlySpan<float> a)
    {
        double s = 0;
        foreach (float v in a)
        {
            s += (double)v * v;
        }

        return s;
    }

    private static void AssertClose(double[] expected, double[] actual, double relative, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= relative * scale, $"{what}[{i}]: {actual[i]} vs {expected[i]} (scale {scale})");
        }
    }
}
