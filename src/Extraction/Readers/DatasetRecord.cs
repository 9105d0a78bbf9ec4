using Scar.Extraction.Encoders;

namespace Scar.Extraction.Readers;

/// <summary>One item of a dataset: its id, its media (image, audio or video), its captions and optional labels.</summary>
/// <param name="Id">Unique id of the item.</param>
/// <param name="Kind">The media kind (image, audio or video).</param>
/// <param name="Media">The media as bytes or a path.</param>
/// <param name="Captions">One or more captions (blank ones are dropped; a record with none is skipped).</param>
/// <param name="Labels">Optional ground-truth labels by name (such as category).</param>
public sealed record DatasetRecord(string Id, EncoderKind Kind, MediaInput Media, IReadOnlyList<string> Captions, IReadOnlyDictionary<string, string>? Labels);

/// <summary>What a reader found in a shard: the records in order and the entries it had to skip.</summary>
public sealed class ShardContent
{
    /// <summary>Readable records, in shard order.</summary>
    public List<DatasetRecord> Records { get; } = [];

    /// <summary>Entries skipped while reading, as (where, reason).</summary>
    public List<(string Where, string Reason)> Skipped { get; } = [];

    /// <summary>Set when the shard ended early (a truncated tar); records before the damage are kept.</summary>
    public string? Damage { get; set; }
}

/// <summary>One input shard: a slice of a manifest (JSON Lines or Parquet) or one tar file.</summary>
/// <param name="Index">Shard number (output folder shards/NNNNN).</param>
/// <param name="Format">"jsonl", "parquet" or "tar".</param>
/// <param name="Path">Absolute path of the manifest or tar file.</param>
/// <param name="Start">First record of the slice (manifests); 0 for tar.</param>
/// <param name="Count">Records in the slice (manifests); -1 for the whole file.</param>
public sealed record ShardSource(int Index, string Format, string Path, long Start, long Count)
{
    /// <summary>A short description for messages.</summary>
    public override string ToString() => Count < 0 ? $"shard {Index} ({Path})" : $"shard {Index} ({Path} records {Start}–{Start + Count - 1})";
}
