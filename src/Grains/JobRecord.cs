using Scar.Abstractions;

namespace Scar.Grains;

/// <summary>The persisted state of a job: its spec, its status and every probe result finished so far (the checkpoint).</summary>
[GenerateSerializer, Alias("Scar.JobRecord")]
public sealed class JobRecord
{
    /// <summary>The submitted spec; null before submission.</summary>
    [Id(0)] public JobSpec? Spec { get; set; }

    /// <summary>The last recorded status.</summary>
    [Id(1)] public JobStatus? Status { get; set; }

    /// <summary>Finished probe results by probe id: a resumed job does not run them again.</summary>
    [Id(2)] public Dictionary<string, ProbeResult> Probes { get; set; } = new(StringComparer.Ordinal);

    /// <summary>report.json's text once done.</summary>
    [Id(3)] public string? Report { get; set; }

    /// <summary>When the job started (UTC).</summary>
    [Id(4)] public DateTime StartedUtc { get; set; }

    /// <summary>Finished preparation stages (JSON of Core's PreparedJob) by repeat key.</summary>
    [Id(5)] public Dictionary<string, string> Prepared { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Coordinator activations that ran this job (a resume after a silo loss or restart adds one).</summary>
    [Id(6)] public int Activations { get; set; }
}
