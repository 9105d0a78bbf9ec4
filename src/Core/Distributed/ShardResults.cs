namespace Scar.Core.Distributed;

/// <summary>A shard's k-means partial of one Lloyd step: per-centroid sums and counts, and its inertia.</summary>
/// <param name="Sums">k × d sums of the rows assigned to each centroid.</param>
/// <param name="Counts">Rows per centroid.</param>
/// <param name="Inertia">Sum of squared distances to the assigned centroid.</param>
public sealed record KMeansPartial(double[] Sums, long[] Counts, double Inertia);

/// <summary>Rows picked by a shard, with their vectors (rows × d).</summary>
/// <param name="Rows">Global row indices.</param>
/// <param name="Vectors">The rows' embeddings, row-major.</param>
/// <param name="Distances">Squared distance to the assigned centroid (for <c>Farthest</c>), else empty.</param>
/// <param name="Labels">Assigned centroid (for <c>Farthest</c>), else empty.</param>
public sealed record ShardRows(long[] Rows, float[] Vectors, double[] Distances, int[] Labels);

/// <summary>Per-dimension sums of a shard's rows (for the k-means tolerance).</summary>
/// <param name="Count">Rows.</param>
/// <param name="Sum">Σ x per dimension.</param>
/// <param name="SumOfSquares">Σ x² per dimension.</param>
public sealed record ShardMoments(long Count, double[] Sum, double[] SumOfSquares);

/// <summary>Pool rows of given classes, with their subset keys (the last step of the threshold search).</summary>
/// <param name="Classes">Class of each row.</param>
/// <param name="Keys">Subset key of each row.</param>
/// <param name="Rows">Global row index of each row.</param>
public sealed record KeyedRows(int[] Classes, ulong[] Keys, int[] Rows);

/// <summary>
/// A shard's first-pass statistics of a probe's training logits: everything SCAR-SPEC §4 needs except the
/// coverage histograms. Groups are indexed 2c (true positives of task c) and 2c + 1 (false positives).
/// </summary>
/// <param name="N">Rows.</param>
/// <param name="Correct">Rows whose argmax equals the label.</param>
/// <param name="WrongEverywhere">Rows wrong on every one-vs-rest task (|F|).</param>
/// <param name="Authentic">Per task: rows with pred_c == label_c.</param>
/// <param name="FalseNegatives">Per task: rows with label c and another prediction.</param>
/// <param name="GroupCount">Per group: scores kept (&gt; 0).</param>
/// <param name="GroupMean">Per group: mean score.</param>
/// <param name="GroupM2">Per group: Σ (score − mean)².</param>
/// <param name="GroupMin">Per group: smallest score.</param>
/// <param name="GroupMax">Per group: largest score.</param>
public sealed record MeasureStats(
    long N,
    long Correct,
    long WrongEverywhere,
    long[] Authentic,
    long[] FalseNegatives,
    long[] GroupCount,
    double[] GroupMean,
    double[] GroupM2,
    double[] GroupMin,
    double[] GroupMax);

/// <summary>Held-out counts of a probe on a shard's test rows.</summary>
/// <param name="N">Test rows.</param>
/// <param name="Correct">Rows whose argmax equals the label.</param>
/// <param name="TaskCorrect">Per task: rows with pred_c == label_c.</param>
public sealed record TestStats(long N, long Correct, long[] TaskCorrect);
