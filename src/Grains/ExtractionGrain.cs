using Microsoft.Extensions.Logging;
using Scar.Abstractions;
using Scar.Core.IO;
using Scar.Extraction;
using Scar.Extraction.Encoders;
using Scar.Extraction.Readers;

namespace Scar.Grains;

/// <summary>
/// Extracts one input shard with the silo's loaded encoders (<see cref="EncoderSet"/>, models load once per silo).
/// Placed on a silo with an accelerator when the cluster has one. Idempotent: the shard's completion marker makes a finished shard return at once, after a restart too.
/// </summary>
[AcceleratorPlacementFilter]
public sealed class ExtractionGrain(EncoderSet encoders, ILogger<ExtractionGrain> logger) : Grain, IExtractionGrain
{
    /// <inheritdoc/>
    public async Task<ExtractionShardResult> ExtractAsync(ExtractionShardRequest request, CancellationToken cancellationToken = default)
    {
        using var span = Core.Telemetry.ScarTelemetry.Source.StartActivity("scar.extract");
        span?.SetTag("scar.shard", request.Index);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var shard = new ShardSource(request.Index, request.Format, request.Path, request.Start, request.Count);
        var settings = request.Spec.ToSettings();
        var report = await Task.Run(() => ShardExtractor.ExtractAsync(shard, settings, encoders, logger, cancellationToken), cancellationToken);
        if (!report.Reused && report.Kept > 0)
        {
            Core.Telemetry.ScarTelemetry.EmbeddingsPerSecond.Record(report.Kept / Math.Max(clock.Elapsed.TotalSeconds, 1e-6));
        }

        DeactivateOnIdle();
        return new ExtractionShardResult(report.Shard, report.Kept, report.Captions, report.Skipped, report.Reused, report.Provider);
    }
}

/// <summary>Wire-to-Core mapping of the extraction contracts.</summary>
public static class ExtractionMapping
{
    /// <summary>The Core settings of a spec.</summary>
    public static ExtractionSettings ToSettings(this ExtractionSpec spec) => new()
    {
        OutDir = spec.OutDir,
        MediaEncoder = spec.MediaEncoder,
        TextEncoder = spec.TextEncoder,
        DType = spec.Float16 ? NpyDType.Float16 : NpyDType.Float32,
        Provider = spec.Provider.ToLowerInvariant() switch
        {
            "cpu" => ExecutionProviderKind.Cpu,
            "cuda" => ExecutionProviderKind.Cuda,
            _ => ExecutionProviderKind.Auto,
        },
    };
}
