using Scar.Abstractions;
using Scar.Core.Numerics;
using Scar.Core.Telemetry;
using Scar.Core.Pipeline;

namespace Scar.Grains;

/// <summary>
/// Runs a batch of probes as probe grains across the cluster, a bounded number at a time, skipping those whose
/// results the job already checkpointed.
/// </summary>
internal sealed class GrainProbeExecutor(
    IGrainFactory grains,
    string jobId,
    ProbeOptions options,
    int shardRows,
    int concurrency,
    IReadOnlyDictionary<string, ProbeResult> finished,
    Func<ProbeResult, Task> onResult,
    Action? onRestored = null) : IProbeExecutor
{
    public async Task<ProbeOutcome[]> RunAsync(IReadOnlyList<ProbeWork> work, Action<ProbeOutcome>? completed, CancellationToken cancellationToken)
    {
        var results = new ProbeOutcome[work.Count];
        using var gate = new SemaphoreSlim(Math.Max(1, concurrency));
        var tasks = new List<Task>(work.Count);
        for (int i = 0; i < work.Count; i++)
        {
            tasks.Add(RunOne(i));
        }

        await Task.WhenAll(tasks);
        return results;

        async Task RunOne(int i)
        {
            ProbeWork w = work[i];
            if (finished.TryGetValue(w.Id, out var done))
            {
                results[i] = done.ToOutcome();
                onRestored?.Invoke();
                completed?.Invoke(results[i]);
                return;
            }

            await gate.WaitAsync(cancellationToken);
            ScarTelemetry.ProbesRunning.Add(1);
            try
            {
                var grain = grains.GetGrain<IProbeGrain>($"{jobId}/{w.Id}");
                // A probe whose silo went away is run again from the start: it is deterministic.
                ProbeResult result = await Transient.RetryAsync(() => grain.RunAsync(w.ToRequest(options, jobId, shardRows), cancellationToken), cancellationToken);
                results[i] = result.ToOutcome();
                ScarTelemetry.ProbesCompleted.Add(1);
                await onResult(result);
                completed?.Invoke(results[i]);
            }
            finally
            {
                ScarTelemetry.ProbesRunning.Add(-1);
                gate.Release();
            }
        }
    }
}
