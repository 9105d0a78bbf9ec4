namespace Scar.Abstractions;

/// <summary>One submitted job as the registry remembers it.</summary>
/// <param name="JobId">The job id.</param>
/// <param name="SubmittedUtc">When the job was first submitted.</param>
[GenerateSerializer, Immutable, Alias("Scar.JobEntry")]
public sealed record JobEntry([property: Id(0)] string JobId, [property: Id(1)] DateTime SubmittedUtc);

/// <summary>The list of submitted jobs (one grain, key <see cref="Key"/>); jobs register themselves when they start.</summary>
[Alias("Scar.IJobRegistryGrain")]
public interface IJobRegistryGrain : IGrainWithStringKey
{
    /// <summary>The key of the single registry grain.</summary>
    const string Key = "jobs";

    /// <summary>Records <paramref name="jobId"/>; registering a job again is a no-op.</summary>
    [Alias("Register")]
    Task RegisterAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>The registered jobs, oldest first.</summary>
    [Alias("List")]
    Task<IReadOnlyList<JobEntry>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Asks every registered job not yet known to be finished for its status, which activates its coordinator: a job
    /// that was running when its silos went away resumes from its checkpoint without waiting for a client. Silos call
    /// it when they start and then periodically. Returns the jobs still running.
    /// </summary>
    [Alias("ResumeUnfinished")]
    Task<int> ResumeUnfinishedAsync(CancellationToken cancellationToken = default);
}
