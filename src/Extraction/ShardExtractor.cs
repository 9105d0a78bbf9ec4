using System.Text.Json;
using Microsoft.Extensions.Logging;
using Scar.Core.IO;
using Scar.Core.Numerics;
using Scar.Extraction.Encoders;
using Scar.Extraction.Readers;

namespace Scar.Extraction;

/// <summary>
/// Extracts one shard into OUT/shards/NNNNN/: MEDIA.npy (one row per kept item), text.npy (one row per caption),
/// groups.npy (the item of each caption, shard-local), ids.txt, labels.json, report.json and, last, the completion
/// marker <c>_DONE</c> holding the shard's fingerprint: a shard whose marker matches is not recomputed.
/// </summary>
public static class ShardExtractor
{
    /// <summary>The completion marker's file name.</summary>
    public const string Marker = "_DONE";

    /// <summary>JSON for reports.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The shard's output folder.</summary>
    public static string ShardDir(string outDir, int index) => Path.Combine(outDir, "shards", index.ToString("D5", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Extracts <paramref name="shard"/> unless its finished output is already there.</summary>
    public static async Task<ShardReport> ExtractAsync(ShardSource shard, ExtractionSettings settings, EncoderSet encoders, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        string dir = ShardDir(settings.OutDir, shard.Index);
        string marker = Path.Combine(dir, Marker);
        var content = ShardPlanner.Read(shard);
        var kinds = content.Records.Select(r => r.Kind).Distinct().ToArray();
        if (kinds.Length > 1)
        {
            throw new ExtractionException($"{shard} mixes media kinds ({string.Join(", ", kinds)}); one dataset has one media kind.");
        }

        var kind = kinds.Length == 1 ? kinds[0] : EncoderKind.Image;
        var mediaConfig = settings.ConfigFor(kind);
        var textConfig = settings.ConfigFor(EncoderKind.Text);
        string fingerprint = JsonSerializer.Serialize(new { shard.Format, shard.Path, shard.Start, shard.Count, media = mediaConfig.Fingerprint(), text = textConfig.Fingerprint(), dtype = settings.DType.ToString() });
        if (File.Exists(marker) && await File.ReadAllTextAsync(marker, cancellationToken) == fingerprint)
        {
            var done = JsonSerializer.Deserialize<ShardReport>(await File.ReadAllTextAsync(Path.Combine(dir, "report.json"), cancellationToken), JsonOptions)!;
            logger?.LogInformation("{Shard} already extracted; reusing its output", shard);
            return done with { Reused = true };
        }

        Directory.CreateDirectory(dir);
        File.Delete(marker);
        string mediaName = kind.ToString().ToLowerInvariant();
        int records = content.Records.Count + content.Skipped.Count(s => s.Reason != content.Damage);
        var report = new ShardReport { Shard = shard.Index, Source = shard.ToString(), Records = records, Damage = content.Damage, Media = mediaName };
        foreach (var (where, reason) in content.Skipped)
        {
            if (reason == content.Damage)
            {
                report.SampleReasons.Add($"{where}: {reason}");
                report.SkippedByReason["truncated tar"] = 1;
            }
            else
            {
                report.Skip(where, reason);
            }
        }

        // Record-level checks: duplicate ids and captions.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var candidates = new List<(DatasetRecord Record, string[] Captions)>();
        foreach (var r in content.Records)
        {
            var captions = r.Captions.Where(c => !string.IsNullOrWhiteSpace(c)).Select(c => c.Trim()).ToArray();
            if (!seen.Add(r.Id))
            {
                report.Skip(r.Id, "duplicate id");
            }
            else if (captions.Length == 0)
            {
                report.Skip(r.Id, "empty caption");
            }
            else
            {
                candidates.Add((r, captions));
            }
        }

        var mediaEncoder = encoders.Get(mediaConfig);
        var media = await EncodingPipeline.RunAsync(mediaEncoder, candidates.Select(c => c.Record.Media).ToArray(), cancellationToken);
        var kept = new List<int>();
        for (int i = 0; i < candidates.Count; i++)
        {
            if (media.Errors[i] is { } error)
            {
                report.Skip(candidates[i].Record.Id, error);
            }
            else
            {
                kept.Add(i);
            }
        }

        if (kept.Count == 0)
        {
            string reasons = string.Join("; ", report.SkippedByReason.Select(p => $"{p.Value} {p.Key}"));
            throw new ExtractionException($"{shard} has no usable record ({records} read{(content.Damage is null ? "" : ", " + content.Damage)}; skipped: {(reasons.Length == 0 ? "none" : reasons)}). Examples: {string.Join(" | ", report.SampleReasons.Take(3))}");
        }

        var captionInputs = new List<MediaInput>();
        var groups = new List<int>();
        for (int k = 0; k < kept.Count; k++)
        {
            foreach (var c in candidates[kept[k]].Captions)
            {
                captionInputs.Add(new MediaInput(Text: c));
                groups.Add(k);
            }
        }

        var textEncoder = encoders.Get(textConfig);
        var text = await EncodingPipeline.RunAsync(textEncoder, captionInputs, cancellationToken);

        int d = media.Dimension;
        var mediaRows = new FloatMatrix(kept.Count, d);
        for (int k = 0; k < kept.Count; k++)
        {
            media.Rows.AsSpan(kept[k] * d, d).CopyTo(mediaRows.Row(k));
        }

        NpyFile.WriteMatrix(Path.Combine(dir, mediaName + ".npy"), mediaRows, settings.DType);
        NpyFile.WriteMatrix(Path.Combine(dir, "text.npy"), new FloatMatrix(captionInputs.Count, text.Dimension, text.Rows), settings.DType);
        NpyFile.WriteIntVector(Path.Combine(dir, "groups.npy"), groups.ToArray());
        await File.WriteAllLinesAsync(Path.Combine(dir, "ids.txt"), kept.Select(k => candidates[k].Record.Id), cancellationToken);
        var labels = kept.Select(k => candidates[k].Record.Labels ?? new Dictionary<string, string>()).ToArray();
        await File.WriteAllTextAsync(Path.Combine(dir, "labels.json"), JsonSerializer.Serialize(labels), cancellationToken);
        report.Kept = kept.Count;
        var final = report with { Captions = captionInputs.Count, MediaSeconds = media.Seconds, TextSeconds = text.Seconds, Provider = mediaEncoder.Provider };
        await File.WriteAllTextAsync(Path.Combine(dir, "report.json"), JsonSerializer.Serialize(final, JsonOptions), cancellationToken);
        await File.WriteAllTextAsync(marker, fingerprint, cancellationToken);
        logger?.LogInformation("{Shard}: {Kept} items, {Captions} captions, {Skipped} skipped; {Media} {MediaRate:F1}/s, text {TextRate:F1}/s on {Provider}",
            shard, final.Kept, final.Captions, final.Skipped, mediaName, candidates.Count / Math.Max(media.Seconds, 1e-9), captionInputs.Count / Math.Max(text.Seconds, 1e-9), final.Provider);
        return final;
    }
}
