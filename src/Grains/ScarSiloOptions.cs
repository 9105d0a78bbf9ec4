namespace Scar.Grains;

/// <summary>Settings of the Scar grains in a silo.</summary>
public sealed class ScarSiloOptions
{
    /// <summary>Name of the grain storage provider that holds job records.</summary>
    public const string StorageName = "scar-store";

    /// <summary>Probe trainings a job runs at once across the cluster; 0 = 4 × this silo's cores (a probe mostly waits on its shards).</summary>
    public int ProbeConcurrency { get; set; }

    /// <summary>Largest grain message (arguments or result) the guard lets through, in bytes.</summary>
    public long MaxMessageBytes { get; set; } = 4L * 1024 * 1024;

    /// <summary>Probe results between two checkpoint writes of a job's state.</summary>
    public int CheckpointEvery { get; set; } = 8;
}
