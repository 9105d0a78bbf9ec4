using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Scar.Core.Distributed;
using Scar.Core.Report;

namespace Scar.Core.Pipeline;

/// <summary>Stage and probe counts of a running job.</summary>
/// <param name="Stage">preparing, probing, completing, reporting or done.</param>
/// <param name="ProbesDone">Probe trainings finished.</param>
/// <param name="ProbesTotal">Probe trainings planned so far.</param>
public sealed record JobProgress(string Stage, int ProbesDone, int ProbesTotal);

/// <summary>A finished characterization: the report and the wall time of each stage (kept out of the report so that it stays reproducible).</summary>
public sealed record CharacterizationResult(CharacterizationReport Report, IReadOnlyDictionary<string, double> StageSeconds);

/// <summary>
/// The whole method for both modalities (SCAR-SPEC §1–§7): prepare, the four FDS estimates (total and primary set
/// of each modality), completion, report. The probe batches go to an <see cref="IProbeExecutor"/>, which is where
/// an Orleans cluster plugs in.
/// </summary>
public static partial class Characterizer
{
    /// <summary>Name of the estimator behind <c>fds_total</c>, written into every report.</summary>
    public const string ReferenceEstimator =
        "reference: lower saturation fit a(1-exp(-lambda x)) on the 1000-point lambda grid (SCAR-SPEC 5); total by exact elementary symmetric sums, Bonferroni inclusion-exclusion, Brent";

    /// <summary>JSON settings of report.json: snake_case, indented.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    // One run of the whole method (one repeat): report.json, report.html, summary.md and timings.json into outDir.
    private static async Task<CharacterizationResult> RunOnceAsync(CharacterizeOptions options, string outDir, IProbeExecutor executor, IShardProvider shards,
        IProgress<JobProgress>? progress, IJobCheckpoint? checkpoint, string checkpointKey, CancellationToken cancellationToken)
    {
        options.Validate();
        outDir = Path.GetFullPath(outDir);
        string workDir = Path.Combine(outDir, "work");
        var stages = new Dictionary<string, double>();
        var clock = Stopwatch.StartNew();

        progress?.Report(new JobProgress("preparing", 0, 0));
        PreparedJob? job = checkpoint?.Prepared(checkpointKey);
        if (job is null)
        {
            job = await JobPreparation.PrepareAsync(options, workDir, shards, cancellationToken);
            if (checkpoint is not null)
            {
                await checkpoint.SavePreparedAsync(checkpointKey, job);
            }
        }

        stages["preparing"] = Lap(clock);

        var estimates = new List<ProbeWork>();
        foreach (var m in job.Modalities)
        {
            estimates.AddRange(ProbePlan.ForEstimate(job, m, ProbePlan.TotalSet, options));
            estimates.AddRange(ProbePlan.ForEstimate(job, m, ProbePlan.PrimarySet, options));
        }

        int completionProbes = job.Modalities.Count * DataCompletion.Arms.Length;
        int total = estimates.Count + completionProbes;
        int done = 0;
        void Completed(ProbeOutcome _)
        {
            int now = Interlocked.Increment(ref done);
            progress?.Report(new JobProgress(now <= estimates.Count ? "probing" : "completing", now, total));
        }

        progress?.Report(new JobProgress("probing", 0, total));
        ProbeOutcome[] outcomes = await executor.RunAsync(estimates, Completed, cancellationToken);
        var byId = outcomes.ToDictionary(o => o.Id, StringComparer.Ordinal);
        stages["probing"] = Lap(clock);

        progress?.Report(new JobProgress("completing", done, total));
        var totalEstimates = new List<FdsEstimate>();
        var plans = new List<CompletionPlan>();
        var primaryEstimates = new List<FdsEstimate>();
        foreach (var m in job.Modalities)
        {
            totalEstimates.Add(Estimate(job, m, ProbePlan.TotalSet, m.TrainClassCounts, options, byId));
            var primary = Estimate(job, m, ProbePlan.PrimarySet, m.PrimaryClassCounts, options, byId);
            primaryEstimates.Add(primary);
            plans.Add(DataCompletion.Plan(job, m, primary, options, workDir));
        }

        var completionWork = plans.SelectMany(p => p.Work).ToArray();
        ProbeOutcome[] completionOutcomes = await executor.RunAsync(completionWork, Completed, cancellationToken);
        stages["completing"] = Lap(clock);

        progress?.Report(new JobProgress("reporting", total, total));
        var modalities = new List<ModalityReport>();
        for (int i = 0; i < job.Modalities.Count; i++)
        {
            var arms = completionOutcomes.Skip(i * DataCompletion.Arms.Length).Take(DataCompletion.Arms.Length).ToArray();
            modalities.Add(ReportBuilder.Modality(job.Modalities[i], totalEstimates[i], primaryEstimates[i], plans[i], arms, options));
        }

        var report = new CharacterizationReport("scar", job.Items, job.Classes, options.Seed, options.TestFraction, job.TrainCount, job.TestCount,
            options.Ratios, ReferenceEstimator, job.Clustering, modalities);
        Directory.CreateDirectory(outDir);
        await WriteJsonAsync(Path.Combine(outDir, "report.json"), report, cancellationToken);
        await ReportWriter.WriteAsync(outDir, report, cancellationToken);
        stages["reporting"] = Lap(clock);
        await WriteJsonAsync(Path.Combine(outDir, "timings.json"), stages, cancellationToken);
        progress?.Report(new JobProgress("done", total, total));
        return new CharacterizationResult(report, stages);
    }

    /// <summary>The whole method in this process: in-process shards and probes (no Orleans); what tests and benchmarks call.</summary>
    public static Task<CharacterizationResult> RunLocalAsync(CharacterizeOptions options, string outDir, IProgress<JobProgress>? progress = null,
        int concurrency = 0, CancellationToken cancellationToken = default)
    {
        var shards = new LocalShardProvider(options.ShardRows);
        return RunAsync(options, outDir, new LocalProbeExecutor(shards, options.Probe, concurrency), shards, progress, null, cancellationToken);
    }

    /// <summary>Serializes <paramref name="value"/> with <see cref="JsonOptions"/>, via a temporary file so a reader never sees half a file.</summary>
    public static async Task WriteJsonAsync<T>(string path, T value, CancellationToken cancellationToken)
    {
        string temp = path + ".tmp";
        await using (var stream = File.Create(temp))
        {
            await JsonSerializer.SerializeAsync(stream, value, JsonOptions, cancellationToken);
        }

        File.Move(temp, path, overwrite: true);
    }

    private static FdsEstimate Estimate(PreparedJob job, PreparedModality m, string set, int[] counts, CharacterizeOptions options,
        Dictionary<string, ProbeOutcome> byId)
    {
        var ids = ProbePlan.ForEstimate(job, m, set, options).Select(w => w.Id);
        return FdsAggregator.Aggregate(ids.Select(id => byId[id]).ToArray(), job.Classes, counts, options);
    }

    private static double Lap(Stopwatch clock)
    {
        double seconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        return Math.Round(seconds, 3);
    }
}

/// <summary>Where a durable job keeps its finished preparation stages (one per repeat), so that a resumed job skips them.</summary>
public interface IJobCheckpoint
{
    /// <summary>The recorded preparation under <paramref name="key"/>, or null when it has not finished yet.</summary>
    PreparedJob? Prepared(string key);

    /// <summary>Records the finished preparation under <paramref name="key"/>.</summary>
    Task SavePreparedAsync(string key, PreparedJob prepared);
}
