using Scar.Abstractions;
using Scar.Core.Distributed;
using Scar.Core.Numerics;

namespace Scar.Grains;

/// <summary>
/// Drives one probe training: each epoch broadcasts the weights to the shard grains of its embeddings and folds
/// their gradients (<see cref="ShardedProbeTrainer"/>). Holds only O(k·d) state; the rows stay in the shards.
/// </summary>
public sealed class ProbeGrain : Grain, IProbeGrain
{
    /// <inheritdoc/>
    public async Task<ProbeResult> RunAsync(ProbeRequest request, CancellationToken cancellationToken = default)
    {
        using var span = Core.Telemetry.ScarTelemetry.Source.StartActivity("scar.probe");
        span?.SetTag("scar.job", request.JobId);
        span?.SetTag("scar.probe", this.GetPrimaryKeyString());
        var options = new ProbeOptions { MaxEpochs = request.MaxEpochs, Patience = request.Patience, LearningRate = request.LearningRate, Threads = 1 };
        var shards = new GrainShardProvider(GrainFactory, request.JobId, request.ShardRows);
        var outcome = await ShardedProbeTrainer.RunAsync(shards, request.ToWork(), options, cancellationToken);
        DeactivateOnIdle();
        return outcome.ToResult();
    }
}
