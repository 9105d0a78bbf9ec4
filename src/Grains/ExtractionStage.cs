using System.Text.Json;
using Scar.Abstractions;
using Scar.Core;
using Scar.Core.Pipeline;
using Scar.Extraction;
using Scar.Extraction.Readers;

namespace Scar.Grains;

/// <summary>
/// The extraction stage of a job: one <see cref="IExtractionGrain"/> per input shard, then the merge into the files
/// the characterization reads. Returns the options with the modalities and groups pointing at the extracted files.
/// </summary>
public static class ExtractionStage
{
    /// <summary>Runs the stage and returns the options to characterize with.</summary>
    public static async Task<CharacterizeOptions> RunAsync(IGrainFactory grains, string jobId, ExtractionSpec spec, CharacterizeOptions options,
        IProgress<JobProgress> progress, CancellationToken cancellationToken)
    {
        IReadOnlyList<ShardSource> shards;
        try
        {
            shards = ShardPlanner.Plan(spec.Manifest, spec.ShardsGlob, spec.ShardSize);
        }
        catch (ExtractionException e)
        {
            throw new ScarInputException("--manifest", e.Message);
        }

        Directory.CreateDirectory(spec.OutDir);
        int done = 0;
        progress.Report(new JobProgress("extract", 0, shards.Count));
        using var gate = new SemaphoreSlim(Math.Max(1, spec.Concurrency));
        var tasks = shards.Select(async shard =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                var grain = grains.GetGrain<IExtractionGrain>($"{jobId}/{shard.Index}");
                var result = await grain.ExtractAsync(new ExtractionShardRequest(spec, shard.Index, shard.Format, shard.Path, shard.Start, shard.Count), cancellationToken);
                progress.Report(new JobProgress("extract", Interlocked.Increment(ref done), shards.Count));
                return result;
            }
            finally
            {
                gate.Release();
            }
        }).ToArray();
        try
        {
            await Task.WhenAll(tasks);
        }
        catch (ExtractionException e)
        {
            throw new ScarInputException("--manifest", e.Message);
        }

        var reports = shards.Select(s => JsonSerializer.Deserialize<ShardReport>(
            File.ReadAllText(Path.Combine(ShardExtractor.ShardDir(spec.OutDir, s.Index), "report.json")), ShardExtractor.JsonOptions)!).ToArray();
        var summary = ExtractionMerger.Merge(spec.OutDir, reports, spec.ToSettings().DType);
        return options with
        {
            Modalities = [new ModalityInput(summary.Media, summary.MediaPath), new ModalityInput("text", summary.TextPath)],
            GroupsPath = summary.GroupsPath,
        };
    }
}
