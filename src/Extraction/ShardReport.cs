namespace Scar.Extraction;

/// <summary>What extracting one shard did: counts, skip reasons (a sample), timings and the provider.</summary>
public sealed record ShardReport
{
    /// <summary>Shard number.</summary>
    public int Shard { get; init; }

    /// <summary>The shard's source, as text.</summary>
    public string Source { get; init; } = "";

    /// <summary>Entries read (records plus unreadable entries).</summary>
    public int Records { get; init; }

    /// <summary>Items kept (encoded).</summary>
    public int Kept { get; set; }

    /// <summary>Captions encoded.</summary>
    public int Captions { get; init; }

    /// <summary>Records skipped.</summary>
    public int Skipped { get; set; }

    /// <summary>Skipped records per reason kind (unreadable image, empty caption, duplicate id, …).</summary>
    public SortedDictionary<string, int> SkippedByReason { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Up to ten sample reasons with the record they concern.</summary>
    public List<string> SampleReasons { get; init; } = [];

    /// <summary>Set when the shard was damaged (a truncated tar).</summary>
    public string? Damage { get; init; }

    /// <summary>Media kind of the shard ("image", "audio", "video").</summary>
    public string Media { get; init; } = "image";

    /// <summary>Seconds spent on the media (decode + preprocess + inference, overlapped).</summary>
    public double MediaSeconds { get; init; }

    /// <summary>Seconds spent on captions.</summary>
    public double TextSeconds { get; init; }

    /// <summary>Execution provider that ran the models.</summary>
    public string Provider { get; init; } = "CPU";

    /// <summary>True when the shard's finished output was found and reused (not recomputed).</summary>
    public bool Reused { get; init; }

    /// <summary>Counts one skipped record.</summary>
    public void Skip(string where, string reason)
    {
        Skipped++;
        string kind = reason.Split(" (", 2)[0];
        SkippedByReason[kind] = SkippedByReason.GetValueOrDefault(kind) + 1;
        if (SampleReasons.Count < 10)
        {
            SampleReasons.Add($"{where}: {reason}");
        }
    }
}
