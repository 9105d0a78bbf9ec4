using Scar.Abstractions;
using Scar.Core.Numerics;
using Scar.Core.Pipeline;

namespace Scar.Grains;

/// <summary>
/// Trains one probe where it is activated, reading the embeddings through the silo's <see cref="DataCache"/> (loaded
/// once per silo), and returns only the measures.
/// </summary>
public sealed class ProbeGrain(DataCache data) : Grain, IProbeGrain
{
    /// <inheritdoc/>
    public async Task<ProbeResult> RunAsync(ProbeRequest request, CancellationToken cancellationToken = default)
    {
        var options = new ProbeOptions { MaxEpochs = request.MaxEpochs, Patience = request.Patience, LearningRate = request.LearningRate, Threads = 1 };
        // The training is CPU-bound: run it off the grain's turn, on immutable inputs.
        var outcome = await Task.Run(() => ProbeRunner.Run(request.ToWork(), data, options, cancellationToken), cancellationToken);
        DeactivateOnIdle();
        return outcome.ToResult();
    }
}
