using Scar.Abstractions;

namespace Scar.Grains;

/// <summary>The persisted list of submitted jobs.</summary>
[GenerateSerializer, Alias("Scar.JobRegistryRecord")]
public sealed class JobRegistryRecord
{
    /// <summary>Registered jobs, oldest first.</summary>
    [Id(0)] public List<JobEntry> Jobs { get; set; } = [];
}

/// <summary>Remembers every submitted job so that clients can list them (key <see cref="IJobRegistryGrain.Key"/>).</summary>
public sealed class JobRegistryGrain(
    [PersistentState("registry", ScarSiloOptions.StorageName)] IPersistentState<JobRegistryRecord> state) : Grain, IJobRegistryGrain
{
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
}
