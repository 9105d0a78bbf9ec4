namespace Scar.Core.Numerics;

/// <summary>The outcome of <see cref="KMeans.Fit"/>.</summary>
/// <param name="Centroids">K × Dim row-major centres.</param>
/// <param name="K">Number of clusters.</param>
/// <param name="Dim">Dimension of the data.</param>
/// <param name="Assignments">Nearest centre of each row (ties to the lowest index), consistent with <paramref name="Centroids"/>.</param>
/// <param name="Inertia">Sum of squared distances of rows to their assigned centre.</param>
/// <param name="Iterations">Lloyd iterations run.</param>
/// <param name="Converged">True when the assignment stopped changing or the centre shift fell under the tolerance.</param>
/// <param name="Stats">Per-iteration statistics.</param>
public sealed record KMeansResult(
    float[] Centroids, int K, int Dim, int[] Assignments, double Inertia, int Iterations, bool Converged,
    IReadOnlyList<KMeansIterationStats> Stats);
