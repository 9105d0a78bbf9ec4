using Microsoft.Extensions.Logging;
using Scar.Abstractions;

namespace Scar.Grains;

/// <summary>The persisted list of submitted jobs.</summary>
[GenerateSerializer, Alias("Scar.JobRegistryRecord")]
public sealed class JobRegistryRecord
{
    /// <summary>Registered jobs, oldest first.</summary>
    [Id(0)] public List<JobEntry> Jobs { get; set; } = [];

    /// <summary>Jobs seen Done, Failed or Cancelled: never woken again.</summary>
    [Id(1)] public HashSet<string> Finished { get; set; } = [];
}

/// <summary>Remembers every submitted job so that clients can list them (key <see cref="IJobRegistryGrain.Key"/>).</summary>
public sealed class JobRegistryGrain(
    [PersistentState("registry", ScarSiloOptions.StorageName)] IPersistentState<JobRegistryRecord> state,
    ILogger<JobRegistryGrain> logger) : Grain, IJobRegistryGrain
{
    /// <summary>How long one job may take to answer a wake-up (its activation reads its record from storage).</summary>
    public static readonly TimeSpan WakeTimeout = TimeSpan.FromSeconds(30);

    /// <inheritdoc/>
    public async Task RegisterAsync(string jobId, CancellationToken cancellationToken = default)
    {
        if (state.State.Jobs.Exists(j => j.JobId == jobId))
        {
            return;
        }

        state.State.Jobs.Add(new JobEntry(jobId, DateTime.UtcNow));
        await state.WriteStateAsync();
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<JobEntry>> ListAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<JobEntry>>([.. state.State.Jobs]);

    /// <inheritdoc/>
    public async Task<int> ResumeUnfinishedAsync(CancellationToken cancellationToken = default)
    {
        var unfinished = state.State.Jobs.Select(j => j.JobId).Where(id => !state.State.Finished.Contains(id)).ToList();
        var running = 0;
        var finished = new List<string>();
        // A few at a time: each wake-up may activate a coordinator, which reads its record and starts its run.
        using var gate = new SemaphoreSlim(8);
        var wakes = unfinished.Select(async jobId =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(WakeTimeout);
                var status = await GrainFactory.GetGrain<IScarJobGrain>(jobId).GetStatusAsync(timeout.Token);
                return (jobId, status.State);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Could not wake job {JobId}; the next round tries again", jobId);
                return (jobId, State: JobState.Unknown);
            }
            finally
            {
                gate.Release();
            }
        });
        foreach (var (jobId, jobState) in await Task.WhenAll(wakes))
        {
            if (jobState is JobState.Done or JobState.Failed or JobState.Cancelled)
            {
                finished.Add(jobId);
            }
            else if (jobState == JobState.Running)
            {
                running++;
            }
        }

        if (finished.Count > 0)
        {
            state.State.Finished.UnionWith(finished);
            await state.WriteStateAsync();
        }

        if (running > 0)
        {
            logger.LogInformation("Woke {Running} running jobs", running);
        }

        return running;
    }
}
