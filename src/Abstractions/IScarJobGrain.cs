namespace Scar.Abstractions;

/// <summary>The coordinator of one characterization job (key: job id). Drives the stages and owns the report.</summary>
[Alias("Scar.IScarJobGrain")]
public interface IScarJobGrain : IGrainWithStringKey
{
    /// <summary>Starts the job; returns at once. Submitting the same spec again to a running or finished job is a no-op.</summary>
    [Alias("Start")]
    Task<JobStatus> StartAsync(JobSpec spec, CancellationToken cancellationToken = default);

    /// <summary>The job's current status.</summary>
    [Alias("GetStatus")]
    Task<JobStatus> GetStatusAsync(CancellationToken cancellationToken = default);

    /// <summary>report.json's text once the job is done; null before.</summary>
    [Alias("GetReport")]
    Task<string?> GetReportAsync(CancellationToken cancellationToken = default);

    /// <summary>Asks a running job to stop; finished stages stay recorded.</summary>
    [Alias("Cancel")]
    Task<JobStatus> CancelAsync(CancellationToken cancellationToken = default);
}
