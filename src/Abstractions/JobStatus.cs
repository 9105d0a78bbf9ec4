namespace Scar.Abstractions;

/// <summary>Where a job is in its life.</summary>
[GenerateSerializer, Alias("Scar.JobState")]
public enum JobState
{
    /// <summary>No job with this id was submitted.</summary>
    Unknown = 0,

    /// <summary>Accepted, running a stage.</summary>
    Running = 1,

    /// <summary>Finished; the report is ready.</summary>
    Done = 2,

    /// <summary>Stopped by an error; <see cref="JobStatus.Error"/> says which.</summary>
    Failed = 3,

    /// <summary>Cancelled on request.</summary>
    Cancelled = 4,
}

/// <summary>A job's progress and outcome.</summary>
[GenerateSerializer, Immutable, Alias("Scar.JobStatus")]
public sealed record JobStatus
{
    /// <summary>The job id.</summary>
    [Id(0)] public required string JobId { get; init; }

    /// <summary>Life-cycle state.</summary>
    [Id(1)] public JobState State { get; init; }

    /// <summary>Current stage: preparing, probing, completing, reporting, done.</summary>
    [Id(2)] public string Stage { get; init; } = "";

    /// <summary>Probe trainings finished.</summary>
    [Id(3)] public int ProbesDone { get; init; }

    /// <summary>Probe trainings planned.</summary>
    [Id(4)] public int ProbesTotal { get; init; }

    /// <summary>Seconds since the job started.</summary>
    [Id(5)] public double ElapsedSeconds { get; init; }

    /// <summary>The error message of a failed job.</summary>
    [Id(6)] public string? Error { get; init; }

    /// <summary>The user input the error is about (a path or option), when it is a bad-input error.</summary>
    [Id(7)] public string? ErrorInput { get; init; }

    /// <summary>Path of report.json once done.</summary>
    [Id(8)] public string? ReportPath { get; init; }

    /// <summary>Wall seconds per finished stage.</summary>
    [Id(9)] public IReadOnlyDictionary<string, double>? StageSeconds { get; init; }

    /// <summary>Address of the silo the coordinator runs on.</summary>
    [Id(10)] public string? CoordinatorSilo { get; init; }

    /// <summary>Probe trainings the current coordinator activation ran itself (not counting restored ones).</summary>
    [Id(40)] public int ProbesTrainedThisActivation { get; init; }

    /// <summary>Probe results the current coordinator activation took from the checkpoint instead of training them again.</summary>
    [Id(41)] public int ProbesRestoredFromCheckpoint { get; init; }

    /// <summary>How many times the coordinator was activated for this job (1 = never moved or restarted).</summary>
    [Id(42)] public int CoordinatorActivations { get; init; }
}
