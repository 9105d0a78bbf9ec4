namespace Scar.Core.Numerics;

/// <summary>
/// The nearest-centre search of one Lloyd iteration, done outside the managed GEMM kernels (for instance by
/// ONNX Runtime on a GPU, in Scar.Accelerated). An instance is built for one data matrix and may keep it resident
/// on its device; <see cref="KMeans"/> keeps seeding, empty-cluster relocation, the centre update and the
/// convergence test.
/// </summary>
public interface ICentreAssigner
{
    /// <summary>
    /// For every row i of the matrix the assigner was built for: <paramref name="labels"/>[i] = the nearest of the
    /// k centres (<paramref name="centroids"/>, k × d row-major; ties to the lowest index),
    /// <paramref name="distances"/>[i] = ‖x_i‖² − 2x_i·c + ‖c‖² for that centre, clamped at 0.
    /// <paramref name="centreNorms"/>[j] = ‖c_j‖² as the managed kernel computes it.
    /// When <paramref name="sums"/> (k × d) and <paramref name="counts"/> (k) are given, zeroed, the assigner may
    /// also fill them with each cluster's row sum and size and return true; returning false leaves that to the caller.
    /// </summary>
    bool Assign(float[] centroids, float[] centreNorms, int[] labels, float[] distances, double[]? sums, long[]? counts);
}
