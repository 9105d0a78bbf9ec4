using Scar.Core.Distributed;
using Scar.Core.Numerics;
using Scar.Core.Report;

namespace Scar.Core.Pipeline;

/// <summary>Repeats of the whole method (the paper's mean ± range).</summary>
public static partial class Characterizer
{
    /// <summary>
    /// Runs a whole job and writes <c>report.json</c>, <c>report.html</c>, <c>summary.md</c> and <c>timings.json</c>
    /// into <paramref name="outDir"/>. With <see cref="CharacterizeOptions.Repeats"/> R &gt; 1 the method runs R times
    /// with seeds DeterministicRandom.Derive(seed, "repeat", i), each into <c>outDir/repeat-i/</c>; the top-level
    /// report is repeat 0's with a <c>repeats</c> section (mean and max − min over the repeats).
    /// </summary>
    /// <param name="options">The job's options.</param>
    /// <param name="outDir">Folder for the reports, timings.json and work/.</param>
    /// <param name="executor">Runs the probe batches.</param>
    /// <param name="shards">Opens embedding shards (for the k-means of the preparation stage).</param>
    /// <param name="progress">Receives stage and probe counts (over all repeats).</param>
    /// <param name="checkpoint">Resumes from, and records, finished preparation stages; null runs them every time.</param>
    /// <param name="cancellationToken">Stops the job between probes.</param>
    public static async Task<CharacterizationResult> RunAsync(CharacterizeOptions options, string outDir, IProbeExecutor executor, IShardProvider shards,
        IProgress<JobProgress>? progress = null, IJobCheckpoint? checkpoint = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        if (options.Repeats == 1)
        {
            return await RunOnceAsync(options, outDir, executor, shards, progress, checkpoint, "main", cancellationToken);
        }

        outDir = Path.GetFullPath(outDir);
        int repeats = options.Repeats;
        var reports = new List<CharacterizationReport>(repeats);
        var folders = new List<string>(repeats);
        var stages = new Dictionary<string, double>();
        for (int i = 0; i < repeats; i++)
        {
            var repeatOptions = options with { Seed = DeterministicRandom.Derive(options.Seed, "repeat", i), Repeats = 1 };
            string folder = $"repeat-{i}";
            var repeatProgress = progress is null ? null : new RepeatProgress(progress, i, repeats);
            var result = await RunOnceAsync(repeatOptions, Path.Combine(outDir, folder), new RepeatExecutor(executor, folder), shards, repeatProgress,
                checkpoint, folder, cancellationToken);
            reports.Add(result.Report);
            folders.Add(folder);
            foreach (var (stage, seconds) in result.StageSeconds)
            {
                stages[stage] = Math.Round(stages.GetValueOrDefault(stage) + seconds, 3);
            }
        }

        var report = reports[0] with { Repeats = RepeatsSummary.From(reports, folders) };
        await WriteJsonAsync(Path.Combine(outDir, "report.json"), report, cancellationToken);
        await ReportWriter.WriteAsync(outDir, report, cancellationToken);
        await WriteJsonAsync(Path.Combine(outDir, "timings.json"), stages, cancellationToken);
        return new CharacterizationResult(report, stages);
    }

    // Progress of repeat i of R, as counts over all repeats (every repeat plans the same number of probes).
    private sealed class RepeatProgress(IProgress<JobProgress> inner, int index, int count) : IProgress<JobProgress>
    {
        public void Report(JobProgress value)
        {
            if (value.Stage == "done" && index < count - 1)
            {
                return;
            }

            int total = value.ProbesTotal * count;
            int done = (value.ProbesTotal * index) + value.ProbesDone;
            inner.Report(value.Stage == "done" ? new JobProgress("done", total, total) : new JobProgress($"{value.Stage} {index + 1}/{count}", done, total));
        }
    }

    // Gives each repeat's work items distinct ids (the grain checkpoints results by id) and restores them on the way back.
    private sealed class RepeatExecutor(IProbeExecutor inner, string prefix) : IProbeExecutor
    {
        public async Task<ProbeOutcome[]> RunAsync(IReadOnlyList<ProbeWork> work, Action<ProbeOutcome>? completed, CancellationToken cancellationToken)
        {
            var renamed = work.Select(w => w with { Id = $"{prefix}/{w.Id}" }).ToArray();
            int cut = prefix.Length + 1;
            var outcomes = await inner.RunAsync(renamed, completed is null ? null : o => completed(o with { Id = o.Id[cut..] }), cancellationToken);
            return outcomes.Select(o => o with { Id = o.Id[cut..] }).ToArray();
        }
    }
}
