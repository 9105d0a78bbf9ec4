using Scar.Core.Numerics;

namespace Scar.Core.Distributed;

/// <summary>
/// Runs an embedding shard's two heavy map steps, the k-means assignment and the probe gradient, outside the managed
/// kernels: on a GPU through ONNX Runtime (Scar.Accelerated's <c>OnnxShardAccelerator</c>, chosen on a silo with
/// <c>SCAR_ACCELERATOR</c>). Everything else a shard does (seeding, subsets, measures, held-out counts) stays managed.
/// Implementations are shared by every shard of a process and must be thread-safe.
/// </summary>
public interface IShardAccelerator
{
    /// <summary>Where the work runs, for logs ("CUDA", "CPU").</summary>
    string Provider { get; }

    /// <summary>
    /// A nearest-centre search over all rows of <paramref name="x"/> (a shard's rows, kept by reference) for
    /// <paramref name="k"/> centres; the shard disposes it (when it is <see cref="IDisposable"/>) once its k-means run ends.
    /// </summary>
    ICentreAssigner CreateAssigner(FloatMatrix x, int k);

    /// <summary>
    /// The probe gradient over rows <paramref name="rows"/> of <paramref name="x"/> (at least one) with their
    /// <paramref name="labels"/>, each row's gradient scaled by <paramref name="invN"/> (one over the probe's rows in all
    /// shards); the shard disposes it (when it is <see cref="IDisposable"/>) once the probe's training is over.
    /// </summary>
    IProbeGradientSource CreateGradient(FloatMatrix x, int[] rows, int[] labels, int classes, float invN);
}
