using System.Diagnostics;
using Scar.Accelerated;
using Scar.Core.Numerics;

namespace Scar.Bench;

/// <summary>
/// <c>--device cpu|cuda|onnx-cpu</c> of the kmeans and probe verbs: cpu (the default) is the managed kernels and
/// needs none of this; cuda and onnx-cpu run the ONNX graphs of Scar.Accelerated on that provider. Building the
/// session, copying the data to the device and one warm-up run are timed apart (<see cref="SetupSeconds"/>).
/// A cuda request on a machine without CUDA prints why and sets <see cref="Failed"/>: it never falls back.
/// </summary>
internal sealed class AcceleratedDevice : IDisposable
{
    private AcceleratedDevice(string device)
    {
        Device = device;
    }

    public string Device { get; }

    public bool Failed { get; private set; }

    public double SetupSeconds { get; private set; }

    public string Backend { get; private set; } = "";

    public OnnxCentreAssigner? Assigner { get; private set; }

    public OnnxProbeGradient? Gradients { get; private set; }

    /// <summary>Null for the managed kernels (no --device, or cpu).</summary>
    public static AcceleratedDevice? ForKMeans(string? device, FloatMatrix x, float[] init, int k, int threads) =>
        Create(device, a =>
        {
            a.Assigner = new OnnxCentreAssigner(x, k, Provider(a.Device), sumOnDevice: true, threads);
            float[] norms = new float[k];
            for (int j = 0; j < k; j++)
            {
                norms[j] = VectorMath.SumOfSquares(init.AsSpan(j * x.Cols, x.Cols));
            }

            a.Assigner.Assign(init, norms, new int[x.Rows], new float[x.Rows], new double[init.Length], new long[k]);
            return a.Assigner.Provider;
        });

    /// <summary>Null for the managed kernels (no --device, or cpu).</summary>
    public static AcceleratedDevice? ForProbe(string? device, FloatMatrix x, int[] rows, int[] labels, int classes, int threads, ulong seed) =>
        Create(device, a =>
        {
            a.Gradients = new OnnxProbeGradient(x, rows, labels, classes, Provider(a.Device), threads);
            a.Gradients.Compute(ProbeTrainer.Initialize(x.Cols, classes, seed), CancellationToken.None);
            return a.Gradients.Provider;
        });

    /// <summary>The shard accelerator of the characterize verb: a silo's SCAR_ACCELERATOR for the embedded, in-process shards.</summary>
    public OnnxShardAccelerator? Shards { get; private set; }

    /// <summary>Null for the managed kernels (no --device, or cpu).</summary>
    public static AcceleratedDevice? ForShards(string? device, int threads) =>
        Create(device, a =>
        {
            a.Shards = new OnnxShardAccelerator(Provider(a.Device), threads);
            return a.Shards.Provider;
        });

    public void Dispose()
    {
        Assigner?.Dispose();
        Gradients?.Dispose();
        Shards?.Dispose();
    }

    private static AcceleratedDevice? Create(string? device, Func<AcceleratedDevice, string> build)
    {
        if (device is null or "cpu")
        {
            return null;
        }

        if (device is not ("cuda" or "onnx-cpu"))
        {
            throw new ArgumentException($"unknown --device '{device}'; use cpu (managed kernels), cuda or onnx-cpu (ONNX Runtime's CPU provider).");
        }

        var accelerated = new AcceleratedDevice(device);
        var clock = Stopwatch.StartNew();
        try
        {
            string provider = build(accelerated);
            accelerated.Backend = $"onnxruntime-{provider.ToLowerInvariant()}";
        }
        catch (AcceleratorUnavailableException e)
        {
            Console.Error.WriteLine($"--device {device}: {e.Message}");
            accelerated.Failed = true;
        }

        accelerated.SetupSeconds = clock.Elapsed.TotalSeconds;
        if (!accelerated.Failed)
        {
            Console.Error.WriteLine($"--device {device}: backend {accelerated.Backend}, session + data copy + warm-up {accelerated.SetupSeconds:F2} s");
        }

        return accelerated;
    }

    private static AcceleratorProvider Provider(string device) => device == "cuda" ? AcceleratorProvider.Cuda : AcceleratorProvider.Cpu;
}
