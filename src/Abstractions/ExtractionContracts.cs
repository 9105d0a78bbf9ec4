namespace Scar.Abstractions;

/// <summary>
/// Raw data to turn into embeddings before characterization (a stage of the job). Paths are as the silos see them.
/// Field ids are part of the wire and storage format: never renumber them.
/// </summary>
[GenerateSerializer, Immutable, Alias("Scar.ExtractionSpec")]
public sealed record ExtractionSpec
{
    /// <summary>JSON Lines or Parquet manifest; null when only tar shards are given.</summary>
    [Id(0)] public string? Manifest { get; init; }

    /// <summary>Glob of WebDataset tar shards (DIR/*.tar); null when only a manifest is given.</summary>
    [Id(1)] public string? ShardsGlob { get; init; }

    /// <summary>Folder the embeddings are written to (shards/ below it).</summary>
    [Id(2)] public required string OutDir { get; init; }

    /// <summary>Media (image/audio/video) encoder config file; null for the built-in one.</summary>
    [Id(3)] public string? MediaEncoder { get; init; }

    /// <summary>Text encoder config file; null for the built-in MiniLM.</summary>
    [Id(4)] public string? TextEncoder { get; init; }

    /// <summary>Write float16 instead of float32.</summary>
    [Id(5)] public bool Float16 { get; init; }

    /// <summary>"auto", "cpu" or "cuda".</summary>
    [Id(6)] public string Provider { get; init; } = "auto";

    /// <summary>Records per manifest shard.</summary>
    [Id(7)] public int ShardSize { get; init; } = 1000;

    /// <summary>Shards extracted at the same time.</summary>
    [Id(8)] public int Concurrency { get; init; } = 1;
}

/// <summary>One shard to extract (key of the grain: job id / shard index).</summary>
[GenerateSerializer, Immutable, Alias("Scar.ExtractionShardRequest")]
public sealed record ExtractionShardRequest(
    [property: Id(0)] ExtractionSpec Spec,
    [property: Id(1)] int Index,
    [property: Id(2)] string Format,
    [property: Id(3)] string Path,
    [property: Id(4)] long Start,
    [property: Id(5)] long Count);

/// <summary>What extracting a shard gave (the full report is the shard's report.json).</summary>
[GenerateSerializer, Immutable, Alias("Scar.ExtractionShardResult")]
public sealed record ExtractionShardResult(
    [property: Id(0)] int Index,
    [property: Id(1)] int Kept,
    [property: Id(2)] int Captions,
    [property: Id(3)] int Skipped,
    [property: Id(4)] bool Reused,
    [property: Id(5)] string Provider);

/// <summary>Extracts one input shard where it is activated; a shard already finished is not recomputed.</summary>
[Alias("Scar.IExtractionGrain")]
public interface IExtractionGrain : IGrainWithStringKey
{
    /// <summary>Extracts the shard (or finds it done) and returns its counts.</summary>
    [Alias("Extract")]
    Task<ExtractionShardResult> ExtractAsync(ExtractionShardRequest request, CancellationToken cancellationToken = default);
}
