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
    /// <summary>Validates, submits to the embedded silo, watches, prints; returns the exit code.</summary>
    public static Task<int> RunEmbeddedAsync(JobSpec spec, bool json, ConsoleIo io, CancellationToken cancellationToken) =>
        RunAsync(spec, json, io, null, "scar-local", cancellationToken);

    /// <summary>
    /// Validates, submits (to the cluster at <paramref name="cluster"/>, or to a fresh embedded silo when it is
    /// null; over TLS with <paramref name="tlsCertificate"/> when given), watches, prints; returns the exit code.
    /// </summary>
    public static async Task<int> RunAsync(JobSpec spec, bool json, ConsoleIo io, string? cluster, string clusterId, CancellationToken cancellationToken,
        System.Security.Cryptography.X509Certificates.X509Certificate2? tlsCertificate = null)
    {

        // Catch bad options before paying for a silo start or a connection.
        spec.ToOptions().Validate();
        await using IAsyncDisposable connection = cluster is null
            ? await EmbeddedSilo.StartAsync(cancellationToken: cancellationToken,
                accelerator: ShardAccelerators.Open(Environment.GetEnvironmentVariable(ShardAccelerators.Variable)))
            : await ClusterConnection.ConnectAsync(cluster, clusterId, cancellationToken, tlsCertificate: tlsCertificate);
        var client = new ScarClient(connection is EmbeddedSilo embedded ? embedded.Client : ((ClusterConnection)connection).Client);
        string jobId = $"job-{Guid.NewGuid():N}";
        JobStatus status = await client.SubmitAsync(jobId, spec, cancellationToken);
        var display = new ProgressDisplay(io.Err, io.ErrIsTerminal);
        try
        {
            await foreach (var s in client.WatchAsync(jobId, cancellationToken))
            {
                status = s;
                await display.ShowAsync(s);
            }

            await display.FinishAsync();
        }
        catch (OperationCanceledException)
        {
            await display.FinishAsync();
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
