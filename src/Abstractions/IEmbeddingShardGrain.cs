namespace Scar.Abstractions;

/// <summary>
/// One shard of an embeddings file, loaded once where it is activated and held (key: job | path | first row).
/// Answers the map steps of k-means and of the probes; every call names its range so that a re-activated shard
/// reloads itself.
/// </summary>
[Alias("Scar.IEmbeddingShardGrain")]
public interface IEmbeddingShardGrain : IGrainWithStringKey
{
    /// <summary>Rows of the subset in this shard.</summary>
    [Alias("SubsetCount")]
    Task<int> SubsetCountAsync(ShardRange range, SubsetWire subset, CancellationToken cancellationToken = default);

    /// <summary>Per-class key histogram of the pool rows (subset threshold search).</summary>
    [Alias("KeyHistogram")]
    Task<long[]> KeyHistogramAsync(ShardRange range, string poolPath, string labelsPath, ulong seed, int classes, int prefixBits, ulong[] prefixes, bool[] active, CancellationToken cancellationToken = default);

    /// <summary>Pool rows whose keys start with each class's prefix (last step of the threshold search).</summary>
    [Alias("KeysWithPrefix")]
    Task<KeyedRowsWire> KeysWithPrefixAsync(ShardRange range, string poolPath, string labelsPath, ulong seed, int prefixBits, ulong[] prefixes, bool[] active, CancellationToken cancellationToken = default);

    /// <summary>The probe's loss gradient over the subset's rows in this shard.</summary>
    [Alias("Gradient")]
    Task<GradientWire> GradientAsync(ShardRange range, SubsetWire subset, int classes, float[] weights, float[] bias, float invN, CancellationToken cancellationToken = default);

    /// <summary>First-pass measure statistics.</summary>
    [Alias("Statistics")]
    Task<MeasureStatsWire> StatisticsAsync(ShardRange range, SubsetWire subset, int classes, float[] weights, float[] bias, CancellationToken cancellationToken = default);

    /// <summary>Coverage histograms over the global ranges.</summary>
    [Alias("CoverageHistograms")]
    Task<long[]> CoverageHistogramsAsync(ShardRange range, SubsetWire subset, int classes, float[] weights, float[] bias, double[] min, double[] max, CancellationToken cancellationToken = default);

    /// <summary>Held-out counts.</summary>
    [Alias("Test")]
    Task<TestStatsWire> TestAsync(ShardRange range, string testPath, string labelsPath, int classes, float[] weights, float[] bias, CancellationToken cancellationToken = default);

    /// <summary>Per-dimension sums.</summary>
    [Alias("Moments")]
    Task<ShardMomentsWire> MomentsAsync(ShardRange range, CancellationToken cancellationToken = default);

    /// <summary>Vectors of given local rows.</summary>
    [Alias("RowsAt")]
    Task<ShardRowsWire> RowsAtAsync(ShardRange range, int[] localRows, CancellationToken cancellationToken = default);

    /// <summary>k-means++: updates closest distances with a new centre; returns the shard's potential.</summary>
    [Alias("UpdateClosest")]
    Task<double> UpdateClosestAsync(ShardRange range, string run, float[] centre, CancellationToken cancellationToken = default);

    /// <summary>k-means++: rows at the given cumulative-potential targets.</summary>
    [Alias("Sample")]
    Task<ShardRowsWire> SampleAsync(ShardRange range, string run, double[] targets, CancellationToken cancellationToken = default);

    /// <summary>k-means++: potential of each candidate centre.</summary>
    [Alias("CandidatePotentials")]
    Task<double[]> CandidatePotentialsAsync(ShardRange range, string run, float[] candidates, int count, CancellationToken cancellationToken = default);

    /// <summary>Lloyd step partial.</summary>
    [Alias("Assign")]
    Task<KMeansPartialWire> AssignAsync(ShardRange range, string run, float[] centroids, int k, CancellationToken cancellationToken = default);

    /// <summary>Rows farthest from their centroids.</summary>
    [Alias("Farthest")]
    Task<ShardRowsWire> FarthestAsync(ShardRange range, string run, int count, CancellationToken cancellationToken = default);

    /// <summary>The last assignment of each row.</summary>
    [Alias("Assignments")]
    Task<int[]> AssignmentsAsync(ShardRange range, string run, CancellationToken cancellationToken = default);

    /// <summary>Forgets a k-means run.</summary>
    [Alias("Release")]
    Task ReleaseAsync(ShardRange range, string run, CancellationToken cancellationToken = default);
}
