using System.Runtime.CompilerServices;
using Scar.Abstractions;

namespace Scar.Client;

/// <summary>
/// The SDK for driving Scar jobs on a cluster (or on the embedded silo): submit, watch, fetch the report, cancel.
/// The <c>scar</c> command is built on it.
/// </summary>
public sealed class ScarClient(IClusterClient cluster)
{
    /// <summary>How often <see cref="WatchAsync"/> polls.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Submits <paramref name="spec"/> as job <paramref name="jobId"/>; idempotent for the same id and spec.</summary>
    public Task<JobStatus> SubmitAsync(string jobId, JobSpec spec, CancellationToken cancellationToken = default) =>
        Job(jobId).StartAsync(spec, cancellationToken);

    /// <summary>The job's current status.</summary>
    public Task<JobStatus> GetStatusAsync(string jobId, CancellationToken cancellationToken = default) =>
        Job(jobId).GetStatusAsync(cancellationToken);

    /// <summary>The text of the job's report.json, or null while it is not done.</summary>
    public Task<string?> GetReportAsync(string jobId, CancellationToken cancellationToken = default) =>
        Job(jobId).GetReportAsync(cancellationToken);

    /// <summary>Asks the job to stop.</summary>
    public Task<JobStatus> CancelAsync(string jobId, CancellationToken cancellationToken = default) =>
        Job(jobId).CancelAsync(cancellationToken);

    /// <summary>Statuses of the job until it is no longer running; the last one is final.</summary>
    public async IAsyncEnumerable<JobStatus> WatchAsync(string jobId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var status = await GetStatusAsync(jobId, cancellationToken);
            yield return status;
            if (status.State != JobState.Running)
            {
                yield break;
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    private IScarJobGrain Job(string jobId) => cluster.GetGrain<IScarJobGrain>(jobId);
}
