using Scar.Core.Numerics;

namespace Scar.Core.Distributed;

/// <summary>
/// The map steps of one embedding shard, wherever it lives: an in-process <see cref="EmbeddingShard"/> or a shard
/// grain on another silo. Only small vectors cross this interface.
/// </summary>
public interface IShardClient
{
    /// <summary>The shard's rows.</summary>
    ShardSpec Spec { get; }

    /// <summary>See <see cref="EmbeddingShard.SubsetCount"/>.</summary>
    Task<int> SubsetCountAsync(SubsetSpec subset, CancellationToken cancellationToken);

    /// <summary>See <see cref="EmbeddingShard.KeyHistogram"/>.</summary>
    Task<long[]> KeyHistogramAsync(string poolPath, string labelsPath, ulong seed, int classes, int prefixBits, ulong[] prefixes, bool[] active, CancellationToken cancellationToken);

    /// <summary>See <see cref="EmbeddingShard.KeysWithPrefix"/>.</summary>
    Task<KeyedRows> KeysWithPrefixAsync(string poolPath, string labelsPath, ulong seed, int prefixBits, ulong[] prefixes, bool[] active, CancellationToken cancellationToken);

    /// <summary>See <see cref="EmbeddingShard.Gradient"/>.</summary>
    Task<GradientSums> GradientAsync(SubsetSpec subset, int classes, float[] weights, float[] bias, float invN, CancellationToken cancellationToken);

    /// <summary>See <see cref="EmbeddingShard.Statistics"/>.</summary>
    Task<MeasureStats> StatisticsAsync(SubsetSpec subset, int classes, float[] weights, float[] bias, CancellationToken cancellationToken);

    /// <summary>See <see cref="EmbeddingShard.CoverageHistograms"/>.</summary>
    Task<long[]> CoverageHistogramsAsync(SubsetSpec subset, int classes, float[] weights, float[] bias, double[] min, double[] max, CancellationToken cancellationToken);

    /// <summary>See <see cref="EmbeddingShard.Test"/>.</summary>
    Task<TestStats> TestAsync(string testPath, string labelsPath, int classes, float[] weights, float[] bias, CancellationToken cancellationToken);

    /// <summary>See <see cref="EmbeddingShard.Moments"/>.</summary>
    Task<ShardMoments> MomentsAsync(CancellationToken cancellationToken);

    /// <summary>See <see cref="EmbeddingShard.RowsAt"/>.</summary>
    Task<ShardRows> RowsAtAsync(int[] localRows, CancellationToken cancellationToken);

    /// <summary>See <see cref="EmbeddingShard.UpdateClosest"/>.</summary>
    Task<double> UpdateClosestAsync(string run, float[] centre, CancellationToken cancellationToken);

    /// <summary>See <see cref="EmbeddingShard.Sample"/>.</summary>
    Task<ShardRows> SampleAsync(string run, double[] targets, CancellationToken cancellationToken);

    /// <summary>See <see cref="EmbeddingShard.CandidatePotentials"/>.</summary>
    Task<double[]> CandidatePotentialsAsync(string run, float[] candidates, int count, CancellationToken cancellationToken);

    /// <summary>See <see cref="EmbeddingShard.Assign"/>.</summary>
    Task<KMeansPartial> AssignAsync(string run, float[] centroids, int k, CancellationToken cancellationToken);

    /// <summary>See <see cref="EmbeddingShard.Farthest"/>.</summary>
    Task<ShardRows> FarthestAsync(string run, int count, CancellationToken cancellationToken);

    /// <summary>See <see cref="EmbeddingShard.Assignments"/>.</summary>
    Task<int[]> AssignmentsAsync(string run, CancellationToken cancellationToken);

    /// <summary>See <see cref="EmbeddingShard.Release"/>.</summary>
    Task ReleaseAsync(string run, CancellationToken cancellationToken);
}

/// <summary>Opens the shards of an embeddings file (in-process, or as grains of a cluster).</summary>
public interface IShardProvider
{
    /// <summary>Rows per shard; part of a job's identity (results depend on it, not on the number of workers).</summary>
    int ShardRows { get; }

    /// <summary>The shards of <paramref name="path"/>, a file of <paramref name="rows"/> rows, in row order.</summary>
    IReadOnlyList<IShardClient> Open(string path, long rows);
}

/// <summary>
/// Shards held in this process: the embedded, single-process form of the distributed method; with an
/// <paramref name="accelerator"/>, their k-means assignments and probe gradients run on it.
/// </summary>
public sealed class LocalShardProvider(int shardRows = ShardPlan.DefaultShardRows, IShardAccelerator? accelerator = null) : IShardProvider
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, IReadOnlyList<IShardClient>> _open = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public int ShardRows => shardRows;

    /// <inheritdoc/>
    public IReadOnlyList<IShardClient> Open(string path, long rows)
    {
        string full = Path.GetFullPath(path);
        return _open.GetOrAdd($"{full}|{rows}", _ => ShardPlan.Plan(full, rows, shardRows).Select(s => (IShardClient)new LocalShardClient(new EmbeddingShard(s, accelerator))).ToArray());
    }
}

/// <summary>An in-process shard behind the async interface; the work runs on the thread pool.</summary>
public sealed class LocalShardClient(EmbeddingShard shard) : IShardClient
{
    /// <inheritdoc/>
    public ShardSpec Spec => shard.Spec;

    /// <inheritdoc/>
    public Task<int> SubsetCountAsync(SubsetSpec subset, CancellationToken cancellationToken) => Run(() => shard.SubsetCount(subset), cancellationToken);

    /// <inheritdoc/>
    public Task<long[]> KeyHistogramAsync(string poolPath, string labelsPath, ulong seed, int classes, int prefixBits, ulong[] prefixes, bool[] active, CancellationToken cancellationToken) =>
        Run(() => shard.KeyHistogram(poolPath, labelsPath, seed, classes, prefixBits, prefixes, active), cancellationToken);

    /// <inheritdoc/>
    public Task<KeyedRows> KeysWithPrefixAsync(string poolPath, string labelsPath, ulong seed, int prefixBits, ulong[] prefixes, bool[] active, CancellationToken cancellationToken) =>
        Run(() => shard.KeysWithPrefix(poolPath, labelsPath, seed, prefixBits, prefixes, active), cancellationToken);

    /// <inheritdoc/>
    public Task<GradientSums> GradientAsync(SubsetSpec subset, int classes, float[] weights, float[] bias, float invN, CancellationToken cancellationToken) =>
        Run(() => shard.Gradient(subset, classes, weights, bias, invN, cancellationToken), cancellationToken);

    /// <inheritdoc/>
    public Task<MeasureStats> StatisticsAsync(SubsetSpec subset, int classes, float[] weights, float[] bias, CancellationToken cancellationToken) =>
        Run(() => shard.Statistics(subset, classes, weights, bias), cancellationToken);

    /// <inheritdoc/>
    public Task<long[]> CoverageHistogramsAsync(SubsetSpec subset, int classes, float[] weights, float[] bias, double[] min, double[] max, CancellationToken cancellationToken) =>
        Run(() => shard.CoverageHistograms(subset, classes, weights, bias, min, max), cancellationToken);

    /// <inheritdoc/>
    public Task<TestStats> TestAsync(string testPath, string labelsPath, int classes, float[] weights, float[] bias, CancellationToken cancellationToken) =>
        Run(() => shard.Test(testPath, labelsPath, classes, weights, bias), cancellationToken);

    /// <inheritdoc/>
    public Task<ShardMoments> MomentsAsync(CancellationToken cancellationToken) => Run(shard.Moments, cancellationToken);

    /// <inheritdoc/>
    public Task<ShardRows> RowsAtAsync(int[] localRows, CancellationToken cancellationToken) => Run(() => shard.RowsAt(localRows), cancellationToken);

    /// <inheritdoc/>
    public Task<double> UpdateClosestAsync(string run, float[] centre, CancellationToken cancellationToken) => Run(() => shard.UpdateClosest(run, centre), cancellationToken);

    /// <inheritdoc/>
    public Task<ShardRows> SampleAsync(string run, double[] targets, CancellationToken cancellationToken) => Run(() => shard.Sample(run, targets), cancellationToken);

    /// <inheritdoc/>
    public Task<double[]> CandidatePotentialsAsync(string run, float[] candidates, int count, CancellationToken cancellationToken) =>
        Run(() => shard.CandidatePotentials(run, candidates, count), cancellationToken);

    /// <inheritdoc/>
    public Task<KMeansPartial> AssignAsync(string run, float[] centroids, int k, CancellationToken cancellationToken) => Run(() => shard.Assign(run, centroids, k), cancellationToken);

    /// <inheritdoc/>
    public Task<ShardRows> FarthestAsync(string run, int count, CancellationToken cancellationToken) => Run(() => shard.Farthest(run, count), cancellationToken);

    /// <inheritdoc/>
    public Task<int[]> AssignmentsAsync(string run, CancellationToken cancellationToken) => Run(() => shard.Assignments(run), cancellationToken);

    /// <inheritdoc/>
    public Task ReleaseAsync(string run, CancellationToken cancellationToken)
    {
        shard.Release(run);
        return Task.CompletedTask;
    }

    private static Task<T> Run<T>(Func<T> work, CancellationToken cancellationToken) => Task.Run(work, cancellationToken);
}
