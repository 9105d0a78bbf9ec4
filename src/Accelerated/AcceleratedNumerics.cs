using Scar.Core.Numerics;

namespace Scar.Accelerated;

/// <summary>
/// k-means and the linear probe with their heavy kernels on ONNX Runtime (CUDA when asked for): the same seeding,
/// empty-cluster relocation, convergence test, initialization, Adam and early stopping as the managed
/// <see cref="KMeans"/> and <see cref="ProbeTrainer"/>, which stay the reference and need none of this.
/// </summary>
public static class AcceleratedNumerics
{
    /// <summary><see cref="KMeans.Fit(FloatMatrix, KMeansOptions, CancellationToken)"/> with each Lloyd assignment (and the cluster sums) on <paramref name="provider"/>.</summary>
    public static KMeansResult FitKMeans(FloatMatrix x, KMeansOptions options, AcceleratorProvider provider, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var assigner = new OnnxCentreAssigner(x, options.K, provider, sumOnDevice: true, options.Threads);
        return KMeans.Fit(x, options, assigner, cancellationToken);
    }

    /// <summary><see cref="ProbeTrainer.Train(FloatMatrix, int[], int[], int, ProbeOptions, ulong, CancellationToken)"/> with each epoch's gradient on <paramref name="provider"/>.</summary>
    public static ProbeTrainingResult TrainProbe(
        FloatMatrix x, int[] rows, int[] labels, int classes, ProbeOptions options, ulong seed, AcceleratorProvider provider,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var gradients = new OnnxProbeGradient(x, rows, labels, classes, provider, options.Threads);
        return ProbeTrainer.Train(x, rows, labels, classes, options, seed, gradients, cancellationToken);
    }
}
