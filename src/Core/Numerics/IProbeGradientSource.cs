namespace Scar.Core.Numerics;

/// <summary>
/// The full-batch probe gradient computed outside the managed kernel (for instance by ONNX Runtime on a GPU, in
/// Scar.Accelerated), for the rows and labels it was built with. <see cref="ProbeTrainer"/> keeps the
/// initialization, Adam and early stopping.
/// </summary>
public interface IProbeGradientSource
{
    /// <summary>
    /// ∂(mean cross-entropy)/∂W (d × k) and ∂/∂b of <paramref name="model"/> over all the rows, with the summed
    /// (undivided) loss and the count of rows whose first maximal logit is the label.
    /// </summary>
    GradientSums Compute(ProbeModel model, CancellationToken cancellationToken);
}
