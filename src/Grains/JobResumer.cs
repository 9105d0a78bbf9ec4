using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Scar.Abstractions;

namespace Scar.Grains;

/// <summary>
/// Wakes the jobs that were running when their coordinators went away (every silo stopped, or the coordinator's silo
/// lost), so that they resume from their checkpoints without waiting for a client to ask: once shortly after this silo
/// becomes active, then every <c>interval</c> when one is given. Every silo does it; waking a job is idempotent.
/// </summary>
public sealed class JobResumer(IGrainFactory grains, ILogger<JobResumer> logger, TimeSpan? interval) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>The wait after the silo becomes active before the first round, so that its peers can join.</summary>
    public static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(2);

    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    /// <inheritdoc/>
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(JobResumer), ServiceLifecycleStage.Active, OnStartAsync, OnStopAsync);

    private Task OnStartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(() => LoopAsync(_stop.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task OnStopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        if (_loop is { } loop)
        {
            await loop.WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task LoopAsync(CancellationToken stop)
    {
        try
        {
            await Task.Delay(FirstDelay, stop);
            // The first round retries until it gets through (storage or the registry's silo may still be starting).
            var retry = TimeSpan.FromSeconds(1);
            while (!await RoundAsync(stop))
            {
                await Task.Delay(retry, stop);
                retry = TimeSpan.FromSeconds(Math.Min(retry.TotalSeconds * 2, 30));
            }

            while (interval is { } every)
            {
                await Task.Delay(every, stop);
                await RoundAsync(stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The silo is stopping.
        }
    }

    private async Task<bool> RoundAsync(CancellationToken stop)
    {
        try
        {
            int running = await grains.GetGrain<IJobRegistryGrain>(IJobRegistryGrain.Key).ResumeUnfinishedAsync(stop);
            logger.LogDebug("Job wake-up round: {Running} running", running);
            return true;
        }
        catch (Exception e) when (!stop.IsCancellationRequested)
        {
            logger.LogWarning(e, "Job wake-up round failed");
            return false;
        }
    }
}
