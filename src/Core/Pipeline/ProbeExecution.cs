using Scar.Core.Distributed;
using Scar.Core.Numerics;

namespace Scar.Core.Pipeline;

/// <summary>Runs batches of probe trainings: in-process threads, or grains across a cluster.</summary>
public interface IProbeExecutor
{
    /// <summary>
    /// Runs every work item and returns the outcomes in the order of <paramref name="work"/>.
    /// <paramref name="completed"/> is called once per finished item (from any thread).
    /// </summary>
    Task<ProbeOutcome[]> RunAsync(IReadOnlyList<ProbeWork> work, Action<ProbeOutcome>? completed, CancellationToken cancellationToken);
}

/// <summary>Runs probes in this process over in-process shards, several at a time (results do not depend on how many).</summary>
public sealed class LocalProbeExecutor(IShardProvider shards, ProbeOptions options, int concurrency = 0) : IProbeExecutor
{
    private readonly int _concurrency = concurrency > 0 ? concurrency : Environment.ProcessorCount;

    /// <inheritdoc/>
    public async Task<ProbeOutcome[]> RunAsync(IReadOnlyList<ProbeWork> work, Action<ProbeOutcome>? completed, CancellationToken cancellationToken)
    {
        var results = new ProbeOutcome[work.Count];
        // Largest subsets first, so the last probes to finish are short ones.
        var order = Enumerable.Range(0, work.Count).OrderBy(i => work[i].Ratio).ThenBy(i => i).ToArray();
        await Parallel.ForEachAsync(order, new ParallelOptions { MaxDegreeOfParallelism = _concurrency, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                results[i] = await ShardedProbeTrainer.RunAsync(shards, work[i], options, ct);
                completed?.Invoke(results[i]);
            });
        return results;
    }
}
