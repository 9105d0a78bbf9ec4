namespace Scar.Core.Numerics;

/// <summary>One Lloyd iteration, as FAISS reports it.</summary>
/// <param name="Iteration">1-based iteration number.</param>
/// <param name="Objective">Inertia (sum of squared distances) of this iteration's assignment to its centres.</param>
/// <param name="Seconds">Wall time of the iteration.</param>
/// <param name="Imbalance">Largest cluster size over the mean cluster size (1 is perfectly balanced).</param>
/// <param name="EmptyClustersSplit">Empty clusters re-seeded with a far point in this iteration.</param>
public sealed record KMeansIterationStats(int Iteration, double Objective, double Seconds, double Imbalance, int EmptyClustersSplit);
