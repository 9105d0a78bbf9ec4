using Scar.Abstractions;
using Scar.Core.Distributed;
using Scar.Core.Numerics;

namespace Scar.Grains;

/// <summary>Opens a job's embedding shards as shard grains; the key names the job, file, rows and shard index.</summary>
public sealed class GrainShardProvider(IGrainFactory grains, string jobId, int shardRows) : IShardProvider
{
    /// <inheritdoc/>
    public int ShardRows => shardRows;

    /// <inheritdoc/>
    public IReadOnlyList<IShardClient> Open(string path, long rows) =>
        ShardPlan.Plan(Path.GetFullPath(path), rows, shardRows)
            .Select((s, i) => (IShardClient)new GrainShardClient(grains.GetGrain<IEmbeddingShardGrain>(ShardKeys.Key(jobId, s.Path, s.Start, s.Count, i)), s))
            .ToArray();
}

/// <summary>A shard grain behind <see cref="IShardClient"/>, retrying calls that failed because a silo went away.</summary>
internal sealed class GrainShardClient(IEmbeddingShardGrain grain, ShardSpec spec) : IShardClient
{
    private readonly ShardRange _range = spec.ToWire();

    public ShardSpec Spec => spec;

    public Task<int> SubsetCountAsync(SubsetSpec subset, CancellationToken cancellationToken) =>
        Transient.RetryAsync(() => grain.SubsetCountAsync(_range, subset.ToWire(), cancellationToken), cancellationToken);

    public Task<long[]> KeyHistogramAsync(string poolPath, string labelsPath, ulong seed, int classes, int prefixBits, ulong[] prefixes, bool[] active, CancellationToken cancellationToken) =>
        Transient.RetryAsync(() => grain.KeyHistogramAsync(_range, poolPath, labelsPath, seed, classes, prefixBits, prefixes, active, cancellationToken), cancellationToken);

    public async Task<KeyedRows> KeysWithPrefixAsync(string poolPath, string labelsPath, ulong seed, int prefixBits, ulong[] prefixes, bool[] active, CancellationToken cancellationToken) =>
        (await Transient.RetryAsync(() => grain.KeysWithPrefixAsync(_range, poolPath, labelsPath, seed, prefixBits, prefixes, active, cancellationToken), cancellationToken)).ToCore();

    public async Task<GradientSums> GradientAsync(SubsetSpec subset, int classes, float[] weights, float[] bias, float invN, CancellationToken cancellationToken) =>
        (await Transient.RetryAsync(() => grain.GradientAsync(_range, subset.ToWire(), classes, weights, bias, invN, cancellationToken), cancellationToken)).ToCore();

    public async Task<MeasureStats> StatisticsAsync(SubsetSpec subset, int classes, float[] weights, float[] bias, CancellationToken cancellationToken) =>
        (await Transient.RetryAsync(() => grain.StatisticsAsync(_range, subset.ToWire(), classes, weights, bias, cancellationToken), cancellationToken)).ToCore();

    public Task<long[]> CoverageHistogramsAsync(SubsetSpec subset, int classes, float[] weights, float[] bias, double[] min, double[] max, CancellationToken cancellationToken) =>
        Transient.RetryAsync(() => grain.CoverageHistogramsAsync(_range, subset.ToWire(), classes, weights, bias, min, max, cancellationToken), cancellationToken);

    public async Task<TestStats> TestAsync(string testPath, string labelsPath, int classes, float[] weights, float[] bias, CancellationToken cancellationToken) =>
        (await Transient.RetryAsync(() => grain.TestAsync(_range, testPath, labelsPath, classes, weights, bias, cancellationToken), cancellationToken)).ToCore();

    public async Task<ShardMoments> MomentsAsync(CancellationToken cancellationToken) =>
        (await Transient.RetryAsync(() => grain.MomentsAsync(_range, cancellationToken), cancellationToken)).ToCore();

    public async Task<ShardRows> RowsAtAsync(int[] localRows, CancellationToken cancellationToken) =>
        (await Transient.RetryAsync(() => grain.RowsAtAsync(_range, localRows, cancellationToken), cancellationToken)).ToCore();

    // The k-means calls below use per-run state held by the activation: a retry lands on a fresh one, which
    // answers ShardStateLostException, and the k-means stage starts over (it is deterministic).
    public Task<double> UpdateClosestAsync(string run, float[] centre, CancellationToken cancellationToken) =>
        Transient.RetryAsync(() => grain.UpdateClosestAsync(_range, run, centre, cancellationToken), cancellationToken);

    public async Task<ShardRows> SampleAsync(string run, double[] targets, CancellationToken cancellationToken) =>
        (await Transient.RetryAsync(() => grain.SampleAsync(_range, run, targets, cancellationToken), cancellationToken)).ToCore();

    public Task<double[]> CandidatePotentialsAsync(string run, float[] candidates, int count, CancellationToken cancellationToken) =>
        Transient.RetryAsync(() => grain.CandidatePotentialsAsync(_range, run, candidates, count, cancellationToken), cancellationToken);

    public async Task<KMeansPartial> AssignAsync(string run, float[] centroids, int k, CancellationToken cancellationToken) =>
        (await Transient.RetryAsync(() => grain.AssignAsync(_range, run, centroids, k, cancellationToken), cancellationToken)).ToCore();

    public async Task<ShardRows> FarthestAsync(string run, int count, CancellationToken cancellationToken) =>
        (await Transient.RetryAsync(() => grain.FarthestAsync(_range, run, count, cancellationToken), cancellationToken)).ToCore();

    public Task<int[]> AssignmentsAsync(string run, CancellationToken cancellationToken) =>
        Transient.RetryAsync(() => grain.AssignmentsAsync(_range, run, cancellationToken), cancellationToken);

    public async Task ReleaseAsync(string run, CancellationToken cancellationToken)
    {
        try
        {
            await grain.ReleaseAsync(_range, run, cancellationToken);
        }
        catch (Exception e) when (Transient.IsTransient(e))
        {
            // The activation is gone, and its run state with it.
        }
    }
}
