using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Scar.Abstractions;
using Scar.Core.Pipeline;
using Scar.Grains;
using Scar.Silo;

namespace Scar.Client.Commands;

/// <summary>Runs a job on a fresh embedded silo, shows progress on stderr, and prints the outcome.</summary>
public static class JobRunner
{
    /// <summary>Seconds between two plain progress lines.</summary>
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(2);

    /// <summary>Validates, submits, watches, prints; returns the exit code.</summary>
    public static async Task<int> RunEmbeddedAsync(JobSpec spec, bool json, ConsoleIo io, CancellationToken cancellationToken)
    {
        // Catch bad options before paying for a silo start.
        spec.ToOptions().Validate();
        await using var silo = await EmbeddedSilo.StartAsync(cancellationToken: cancellationToken);
        var client = new ScarClient(silo.Client);
        string jobId = $"job-{Guid.NewGuid():N}";
        JobStatus status = await client.SubmitAsync(jobId, spec, cancellationToken);
        var lastLine = Stopwatch.StartNew();
        string lastStage = "";
        try
        {
            await foreach (var s in client.WatchAsync(jobId, cancellationToken))
            {
                status = s;
                if (s.State == JobState.Running && (s.Stage != lastStage || lastLine.Elapsed >= ProgressEvery))
                {
                    await io.Err.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"[{s.ElapsedSeconds,7:F1}s] {s.Stage,-10} {(s.Stage == "extract" ? "shards" : "probes")} {s.ProbesDone}/{s.ProbesTotal}"));
                    lastStage = s.Stage;
                    lastLine.Restart();
                }
            }
        }
        catch (OperationCanceledException)
        {
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await client.CancelAsync(jobId, grace.Token);
            await io.Err.WriteLineAsync($"cancelled; finished work is kept in {Path.Combine(spec.OutDir, "work")}");
            return ExitCodes.Cancelled;
        }

        switch (status.State)
        {
            case JobState.Done:
                string report = (await client.GetReportAsync(jobId, cancellationToken))!;
                if (json)
                {
                    await io.Out.WriteLineAsync(report);
                }
                else
                {
                    ReportPrinter.Print(JsonSerializer.Deserialize<CharacterizationReport>(report, Characterizer.JsonOptions)!, status, io.Out);
                }

                return ExitCodes.Ok;
            case JobState.Cancelled:
                await io.Err.WriteLineAsync("the job was cancelled");
                return ExitCodes.Cancelled;
            default:
                await io.Err.WriteLineAsync($"error: {status.Error}");
                return status.ErrorInput is null ? ExitCodes.JobFailed : ExitCodes.BadInput;
        }
    }
}
