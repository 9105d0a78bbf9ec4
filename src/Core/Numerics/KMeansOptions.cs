namespace Scar.Core.Numerics;

/// <summary>The knobs of <see cref="KMeans.Fit"/>, with scikit-learn's defaults where it has one.</summary>
public sealed record KMeansOptions
{
    /// <summary>Number of clusters; at least 2 and at most the number of rows.</summary>
    public required int K { get; init; }

    /// <summary>Maximum Lloyd iterations (scikit-learn: 300).</summary>
    public int MaxIterations { get; init; } = 300;

    /// <summary>
    /// Convergence tolerance, relative as in scikit-learn: stop when the summed squared centre shift is at most
    /// Tolerance × the mean per-dimension variance of the data.
    /// </summary>
    public double Tolerance { get; init; } = 1e-4;

    /// <summary>Candidates sampled per greedy k-means++ step; 0 means 2 + ⌊ln k⌋ as scikit-learn.</summary>
    public int LocalTrials { get; init; }

    /// <summary>Seed of the k-means++ initialization.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Worker threads; 0 means one per processor. Results do not depend on it.</summary>
    public int Threads { get; init; }
}
