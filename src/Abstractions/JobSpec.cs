namespace Scar.Abstractions;

/// <summary>One modality of a job: a name and the path of its embeddings (.npy) as the silos see it.</summary>
[GenerateSerializer, Immutable, Alias("Scar.ModalitySpec")]
public sealed record ModalitySpec([property: Id(0)] string Name, [property: Id(1)] string Path);

/// <summary>
/// Everything a characterization job takes. Paths are as the silos see them (shared storage). Field ids are part
/// of the wire and storage format: never renumber them.
/// </summary>
[GenerateSerializer, Immutable, Alias("Scar.JobSpec")]
public sealed record JobSpec
{
    /// <summary>The two paired modalities.</summary>
    [Id(0)] public required IReadOnlyList<ModalitySpec> Modalities { get; init; }

    /// <summary>Optional caption-to-item group ids (.npy).</summary>
    [Id(1)] public string? GroupsPath { get; init; }

    /// <summary>Optional ground-truth labels per item (.npy).</summary>
    [Id(2)] public string? LabelsPath { get; init; }

    /// <summary>Number of pseudo-classes; null only with labels.</summary>
    [Id(3)] public int? K { get; init; }

    /// <summary>Root seed.</summary>
    [Id(4)] public ulong Seed { get; init; } = 42;

    /// <summary>Held-out share of items.</summary>
    [Id(5)] public double TestFraction { get; init; } = 0.2;

    /// <summary>Folder the silo writes report.json and the work checkpoints into.</summary>
    [Id(6)] public required string OutDir { get; init; }

    /// <summary>Learning-curve ratios; null for the paper's {1, 2, 5, 10, 15, 20, 30}.</summary>
    [Id(7)] public IReadOnlyList<int>? Ratios { get; init; }

    /// <summary>Probe epochs cap; null for 100.</summary>
    [Id(8)] public int? MaxEpochs { get; init; }

    /// <summary>Probe early-stop patience; null for 5.</summary>
    [Id(9)] public int? Patience { get; init; }

    /// <summary>Primary share of data completion; null for 0.6.</summary>
    [Id(10)] public double? PrimaryFraction { get; init; }

    /// <summary>Rows per embedding shard; null for the default. Results depend on it, not on the number of silos.</summary>
    [Id(20)] public int? ShardRows { get; init; }

    /// <summary>Repeats of the whole characterization with derived seeds; null for 1.</summary>
    [Id(11)] public int? Repeats { get; init; }

    /// <summary>ε_acc of the learning-curve FDS; null for 0.01.</summary>
    [Id(12)] public double? EpsilonAcc { get; init; }

    /// <summary>Bootstrap resamples of the learning-curve FDS interval; null for 200.</summary>
    [Id(13)] public int? BootstrapResamples { get; init; }

    /// <summary>Raw data to extract first (the modalities then name the extracted files); null for embeddings.</summary>
    [Id(21)] public ExtractionSpec? Extraction { get; init; }
}
