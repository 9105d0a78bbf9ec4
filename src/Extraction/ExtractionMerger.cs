using System.Text.Json;
using Scar.Core.IO;
using Scar.Core.Numerics;

namespace Scar.Extraction;

/// <summary>What a whole extraction produced: the files <c>scar characterize</c> reads and the per-shard reports.</summary>
public sealed record ExtractionSummary
{
    /// <summary>Media modality name ("image", "audio", "video").</summary>
    public string Media { get; init; } = "image";

    /// <summary>OUT/MEDIA.npy: one row per item.</summary>
    public string MediaPath { get; init; } = "";

    /// <summary>OUT/text.npy: one row per caption.</summary>
    public string TextPath { get; init; } = "";

    /// <summary>OUT/groups.npy: the item index of each caption row.</summary>
    public string GroupsPath { get; init; } = "";

    /// <summary>OUT/ids.txt: the item ids in row order.</summary>
    public string IdsPath { get; init; } = "";

    /// <summary>OUT/labels_NAME.npy per label name present on every item (names in labels.json).</summary>
    public SortedDictionary<string, string> LabelPaths { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Items.</summary>
    public int Items { get; init; }

    /// <summary>Captions.</summary>
    public int Captions { get; init; }

    /// <summary>Records skipped, all shards.</summary>
    public int Skipped { get; init; }

    /// <summary>Media items per second of media stage time (decode + inference).</summary>
    public double MediaPerSecond { get; init; }

    /// <summary>Captions per second of text stage time.</summary>
    public double TextsPerSecond { get; init; }

    /// <summary>Execution provider.</summary>
    public string Provider { get; init; } = "CPU";

    /// <summary>Per-shard reports.</summary>
    public IReadOnlyList<ShardReport> Shards { get; init; } = [];
}

/// <summary>Concatenates finished shards into the embedding files, dropping ids already seen in an earlier shard.</summary>
public static class ExtractionMerger
{
    /// <summary>Merges the shards of <paramref name="reports"/> (in shard order) into OUT/ and writes OUT/extraction.json.</summary>
    public static ExtractionSummary Merge(string outDir, IReadOnlyList<ShardReport> reports, NpyDType dtype)
    {
        var ordered = reports.OrderBy(r => r.Shard).ToArray();
        string media = ordered[0].Media;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var ids = new List<string>();
        var mediaRows = new List<float[]>();
        var textRows = new List<float[]>();
        var groups = new List<int>();
        var labels = new List<Dictionary<string, string>>();
        int mediaDim = 0, textDim = 0;
        foreach (var report in ordered)
        {
            string dir = ShardExtractor.ShardDir(outDir, report.Shard);
            var shardIds = File.ReadAllLines(Path.Combine(dir, "ids.txt"));
            var m = NpyFile.ReadMatrix(Path.Combine(dir, report.Media + ".npy"));
            var t = NpyFile.ReadMatrix(Path.Combine(dir, "text.npy"));
            var g = NpyFile.ReadIntVector(Path.Combine(dir, "groups.npy"));
            var l = JsonSerializer.Deserialize<Dictionary<string, string>[]>(File.ReadAllText(Path.Combine(dir, "labels.json")))!;
            (mediaDim, textDim) = (m.Cols, t.Cols);
            var newIndex = new int[shardIds.Length];
            for (int i = 0; i < shardIds.Length; i++)
            {
                if (!seen.Add(shardIds[i]))
                {
                    newIndex[i] = -1;
                    report.Skip(shardIds[i], "duplicate id (already in an earlier shard)");
                    report.Kept--;
                    continue;
                }

                newIndex[i] = ids.Count;
                ids.Add(shardIds[i]);
                mediaRows.Add(m.Row(i).ToArray());
                labels.Add(l[i]);
            }

            for (int c = 0; c < g.Length; c++)
            {
                if (newIndex[g[c]] >= 0)
                {
                    groups.Add(newIndex[g[c]]);
                    textRows.Add(t.Row(c).ToArray());
                }
            }
        }

        var summary = new ExtractionSummary
        {
            Media = media,
            MediaPath = Path.Combine(outDir, media + ".npy"),
            TextPath = Path.Combine(outDir, "text.npy"),
            GroupsPath = Path.Combine(outDir, "groups.npy"),
            IdsPath = Path.Combine(outDir, "ids.txt"),
            Items = ids.Count,
            Captions = groups.Count,
            Skipped = ordered.Sum(r => r.Skipped),
            MediaPerSecond = Rate(ordered.Where(r => !r.Reused).Sum(r => r.Kept), ordered.Where(r => !r.Reused).Sum(r => r.MediaSeconds)),
            TextsPerSecond = Rate(ordered.Where(r => !r.Reused).Sum(r => r.Captions), ordered.Where(r => !r.Reused).Sum(r => r.TextSeconds)),
            Provider = ordered[0].Provider,
            Shards = ordered,
        };
        NpyFile.WriteMatrix(summary.MediaPath, Stack(mediaRows, mediaDim), dtype);
        NpyFile.WriteMatrix(summary.TextPath, Stack(textRows, textDim), dtype);
        NpyFile.WriteIntVector(summary.GroupsPath, groups.ToArray());
        File.WriteAllLines(summary.IdsPath, ids);

        // A label becomes labels_NAME.npy (classes numbered in ordinal order of their names) when every item has it.
        var names = labels.SelectMany(l => l.Keys).Distinct().Order(StringComparer.Ordinal).Where(n => labels.All(l => l.ContainsKey(n))).ToArray();
        var classes = new SortedDictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var values = labels.Select(l => l[name]).Distinct().Order(StringComparer.Ordinal).ToArray();
            var index = values.Select((v, i) => (v, i)).ToDictionary(p => p.v, p => p.i, StringComparer.Ordinal);
            string path = Path.Combine(outDir, $"labels_{Sanitize(name)}.npy");
            NpyFile.WriteIntVector(path, labels.Select(l => index[l[name]]).ToArray());
            summary.LabelPaths[name] = path;
            classes[name] = values;
        }

        File.WriteAllText(Path.Combine(outDir, "labels.json"), JsonSerializer.Serialize(classes, ShardExtractor.JsonOptions));
        File.WriteAllText(Path.Combine(outDir, "extraction.json"), JsonSerializer.Serialize(summary, ShardExtractor.JsonOptions));
        return summary;
    }

    private static double Rate(int n, double seconds) => seconds > 0 ? n / seconds : 0;

    private static string Sanitize(string name) => new(name.Select(c => char.IsLetterOrDigit(c) ? c : '_').ToArray());

    private static FloatMatrix Stack(List<float[]> rows, int cols)
    {
        var m = new FloatMatrix(rows.Count, cols);
        for (int i = 0; i < rows.Count; i++)
        {
            rows[i].CopyTo(m.Row(i));
        }

        return m;
    }
}
