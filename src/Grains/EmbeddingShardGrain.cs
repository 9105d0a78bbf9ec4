using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Scar.Abstractions;
using Scar.Core.Distributed;

namespace Scar.Grains;

/// <summary>
/// Holds one shard of embeddings in this silo's memory and answers map steps. Reentrant: many probes read the
/// same shard at once (the shard is immutable; per-run k-means state is keyed by run). Work runs off the grain's turn.
/// </summary>
[Reentrant]
[ShardSpreadPlacement]
public sealed class EmbeddingShardGrain(ILogger<EmbeddingShardGrain> logger, IServiceProvider services) : Grain, IEmbeddingShardGrain
{
    private EmbeddingShard? _shard;

    /// <inheritdoc/>
    public Task<int> SubsetCountAsync(ShardRange range, SubsetWire subset, CancellationToken cancellationToken = default) =>
        Run(range, s => s.SubsetCount(subset.ToCore()), cancellationToken);

    /// <inheritdoc/>
    public Task<long[]> KeyHistogramAsync(ShardRange range, string poolPath, string labelsPath, ulong seed, int classes, int prefixBits, ulong[] prefixes, bool[] active, CancellationToken cancellationToken = default) =>
        Run(range, s => s.KeyHistogram(poolPath, labelsPath, seed, classes, prefixBits, prefixes, active), cancellationToken);

    /// <inheritdoc/>
    public Task<KeyedRowsWire> KeysWithPrefixAsync(ShardRange range, string poolPath, string labelsPath, ulong seed, int prefixBits, ulong[] prefixes, bool[] active, CancellationToken cancellationToken = default) =>
        Run(range, s => s.KeysWithPrefix(poolPath, labelsPath, seed, prefixBits, prefixes, active).ToWire(), cancellationToken);

    /// <inheritdoc/>
    public Task<GradientWire> GradientAsync(ShardRange range, SubsetWire subset, int classes, float[] weights, float[] bias, float invN, CancellationToken cancellationToken = default) =>
        Run(range, s => s.Gradient(subset.ToCore(), classes, weights, bias, invN, cancellationToken).ToWire(), cancellationToken);

    /// <inheritdoc/>
    public Task<MeasureStatsWire> StatisticsAsync(ShardRange range, SubsetWire subset, int classes, float[] weights, float[] bias, CancellationToken cancellationToken = default) =>
        Run(range, s => s.Statistics(subset.ToCore(), classes, weights, bias).ToWire(), cancellationToken);

    /// <inheritdoc/>
    public Task<long[]> CoverageHistogramsAsync(ShardRange range, SubsetWire subset, int classes, float[] weights, float[] bias, double[] min, double[] max, CancellationToken cancellationToken = default) =>
        Run(range, s => s.CoverageHistograms(subset.ToCore(), classes, weights, bias, min, max), cancellationToken);

    /// <inheritdoc/>
    public Task<TestStatsWire> TestAsync(ShardRange range, string testPath, string labelsPath, int classes, float[] weights, float[] bias, CancellationToken cancellationToken = default) =>
        Run(range, s => s.Test(testPath, labelsPath, classes, weights, bias).ToWire(), cancellationToken);

    /// <inheritdoc/>
    public Task<ShardMomentsWire> MomentsAsync(ShardRange range, CancellationToken cancellationToken = default) =>
        Run(range, s => s.Moments().ToWire(), cancellationToken);

    /// <inheritdoc/>
    public Task<ShardRowsWire> RowsAtAsync(ShardRange range, int[] localRows, CancellationToken cancellationToken = default) =>
        Run(range, s => s.RowsAt(localRows).ToWire(), cancellationToken);

    /// <inheritdoc/>
    public Task<double> UpdateClosestAsync(ShardRange range, string run, float[] centre, CancellationToken cancellationToken = default) =>
        Run(range, s => s.UpdateClosest(run, centre), cancellationToken);

    /// <inheritdoc/>
    public Task<ShardRowsWire> SampleAsync(ShardRange range, string run, double[] targets, CancellationToken cancellationToken = default) =>
        Run(range, s => s.Sample(run, targets).ToWire(), cancellationToken);

    /// <inheritdoc/>
    public Task<double[]> CandidatePotentialsAsync(ShardRange range, string run, float[] candidates, int count, CancellationToken cancellationToken = default) =>
        Run(range, s => s.CandidatePotentials(run, candidates, count), cancellationToken);

    /// <inheritdoc/>
    public Task<KMeansPartialWire> AssignAsync(ShardRange range, string run, float[] centroids, int k, CancellationToken cancellationToken = default) =>
        Run(range, s => s.Assign(run, centroids, k).ToWire(), cancellationToken);

    /// <inheritdoc/>
    public Task<ShardRowsWire> FarthestAsync(ShardRange range, string run, int count, CancellationToken cancellationToken = default) =>
        Run(range, s => s.Farthest(run, count).ToWire(), cancellationToken);

    /// <inheritdoc/>
    public Task<int[]> AssignmentsAsync(ShardRange range, string run, CancellationToken cancellationToken = default) =>
        Run(range, s => s.Assignments(run), cancellationToken);

    /// <inheritdoc/>
    public Task ReleaseAsync(ShardRange range, string run, CancellationToken cancellationToken = default) =>
        Run(range, s =>
        {
            s.Release(run);
            return true;
        }, cancellationToken);

    private Task<T> Run<T>(ShardRange range, Func<EmbeddingShard, T> work, CancellationToken cancellationToken)
    {
        var shard = Shard(range);
        return Task.Run(() => work(shard), cancellationToken);
    }

    private EmbeddingShard Shard(ShardRange range)
    {
        var spec = range.ToCore();
        if (_shard is null)
        {
            // The silo's accelerator (SCAR_ACCELERATOR), when it has one: k-means assignments and probe gradients run there.
            var accelerator = (IShardAccelerator?)services.GetService(typeof(IShardAccelerator));
            _shard = new EmbeddingShard(spec, accelerator);
            // Benchmarks sum these lines per silo to compare its memory with the embedding bytes it holds.
            long bytes = (long)spec.Count * Core.IO.NpyFile.ReadHeader(spec.Path).Shape[1] * sizeof(float);
            logger.LogInformation("Shard {Path}@{Start}+{Count} held here: {Bytes} bytes{Accelerator}", spec.Path, spec.Start, spec.Count, bytes,
                accelerator is null ? string.Empty : $", on {accelerator.Provider}");
        }
        else if (_shard.Spec != spec)
        {
            throw new InvalidOperationException($"shard grain {this.GetPrimaryKeyString()} holds {_shard.Spec} and was asked for {spec}");
        }

        return _shard;
    }
}
