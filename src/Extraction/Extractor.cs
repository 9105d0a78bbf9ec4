using Microsoft.Extensions.Logging;
using Scar.Extraction.Readers;

namespace Scar.Extraction;

/// <summary>In-process extraction (no cluster): plan the shards, extract each (reusing finished ones), merge.</summary>
public static class Extractor
{
    /// <summary>Extracts a manifest and/or tar shards into <see cref="ExtractionSettings.OutDir"/>.</summary>
    public static async Task<ExtractionSummary> RunAsync(string? manifest, string? shardsGlob, ExtractionSettings settings, int shardSize = ShardPlanner.DefaultShardSize,
        ILogger? logger = null, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var shards = ShardPlanner.Plan(manifest, shardsGlob, shardSize);
        Directory.CreateDirectory(settings.OutDir);
        using var encoders = new EncoderSet(logger);
        var reports = new List<ShardReport>();
        foreach (var shard in shards)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var r = await ShardExtractor.ExtractAsync(shard, settings, encoders, logger, cancellationToken);
            reports.Add(r);
            progress?.Report($"{shard}: {r.Kept} items, {r.Captions} captions, {r.Skipped} skipped{(r.Reused ? " (reused)" : "")}");
        }

        return ExtractionMerger.Merge(settings.OutDir, reports, settings.DType);
    }
}
