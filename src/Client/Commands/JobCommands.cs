using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Scar.Abstractions;
using Scar.Core;
using Scar.Grains;

namespace Scar.Client.Commands;

/// <summary>
/// The verbs that drive jobs on a running cluster through <see cref="ScarClient"/>: <c>submit</c>, <c>status</c>,
/// <c>watch</c>, <c>fetch</c>, <c>cancel</c>, <c>jobs</c>. Their exit codes are in <see cref="ExitCodes"/>.
/// </summary>
public static class JobCommands
{
    private static readonly Option<string> Cluster = new("--cluster")
    {
        Description = "The cluster: its gateways as HOST:PORT[,HOST:PORT], or its silos' membership as redis://HOST:PORT or postgres://USER@HOST:PORT/DATABASE (default: $SCAR_CLUSTER, else localhost:30000).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SCAR_CLUSTER") is { Length: > 0 } v ? v : "localhost:30000",
    };

    private static readonly Option<string> ClusterId = new("--cluster-id")
    {
        Description = "The cluster's id (SCAR_CLUSTER_ID of its silos; default: $SCAR_CLUSTER_ID, else scar-local).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SCAR_CLUSTER_ID") is { Length: > 0 } v ? v : "scar-local",
    };

    private static readonly Option<double> ConnectTimeout = new("--connect-timeout") { Description = "Seconds to wait for a gateway before exit code 5.", DefaultValueFactory = _ => 30 };
    private static readonly Option<double?> Timeout = new("--timeout") { Description = "Seconds to wait for the job (with --wait, watch); exit code 6 when they run out (the job keeps running)." };
    private static readonly Option<bool> Json = new("--json") { Description = "Machine-readable JSON on stdout." };
    private static readonly Argument<string> JobId = new("JOB") { Description = "The job id." };
    private static readonly Argument<string?> SpecFile = new("SPEC") { Description = "A job spec file (JSON, or YAML when it ends in .yaml/.yml; field names are the characterize options). Or give the options instead.", Arity = ArgumentArity.ZeroOrOne };
    private static readonly Option<string?> SubmitJobId = new("--job-id") { Description = "The job id (letters, digits, '.', '_', '-'); resubmitting the same spec under it is a no-op. Default: a fresh id." };
    private static readonly Option<bool> Wait = new("--wait") { Description = "Wait for the job to finish; the exit code is then the job's outcome." };
    private static readonly Option<string> FetchOut = new("--out") { Description = "Folder to write report.json into (and report.html, summary.md when the silo's out folder is readable).", Required = true };

    /// <summary>Builds the verbs.</summary>
    public static IEnumerable<Command> Create(ConsoleIo io)
    {
        var submit = new Command("submit", "Submit a job to the cluster; prints the job id (the status as JSON with --json).") { SpecFile, SubmitJobId, Wait, Timeout, Json };
        CharacterizeCommand.AddSpecOptions(submit);
        AddConnection(submit);
        submit.SetAction((parse, ct) => WithClient(parse, io, ct, async (client, token) =>
        {
            var (spec, fileJobId) = ReadSpec(parse);
            spec.ToOptions().Validate();
            JobStatus status;
            try
            {
                status = await client.SubmitAsync(spec, parse.GetValue(SubmitJobId) ?? fileJobId, token);
            }
            catch (InvalidOperationException e)
            {
                // The grain refuses a different spec under an existing job id.
                await io.Err.WriteLineAsync($"error: {e.Message}");
                return ExitCodes.Conflict;
            }

            if (!parse.GetValue(Wait))
            {
                await io.Out.WriteLineAsync(parse.GetValue(Json) ? JsonSerializer.Serialize(status, ScarJson.Options) : status.JobId);
                return status.State == JobState.Failed ? CodeOf(status) : ExitCodes.Ok;
            }

            await io.Err.WriteLineAsync($"submitted {status.JobId}");
            return await WatchAsync(client, status.JobId, parse, io, token);
        }));

        var statusCommand = new Command("status", "Print a job's status. Exit code: 0 done, 7 running, 3 failed, 4 cancelled, 2 unknown job.") { JobId, Json };
        AddConnection(statusCommand);
        statusCommand.SetAction((parse, ct) => WithClient(parse, io, ct, async (client, token) =>
        {
            var status = await client.GetStatusAsync(parse.GetValue(JobId)!, token);
            await PrintAsync(status, parse.GetValue(Json), io);
            return status.State == JobState.Running ? ExitCodes.Running : CodeOf(status);
        }));

        var watch = new Command("watch", "Follow a job until it finishes (progress on stderr). Exit code: the job's outcome, 6 on --timeout.") { JobId, Timeout, Json };
        AddConnection(watch);
        watch.SetAction((parse, ct) => WithClient(parse, io, ct, (client, token) => WatchAsync(client, parse.GetValue(JobId)!, parse, io, token)));

        var fetch = new Command("fetch", "Write a finished job's report.json (and report.html, summary.md when readable) into --out.") { JobId, FetchOut };
        AddConnection(fetch);
        fetch.SetAction((parse, ct) => WithClient(parse, io, ct, async (client, token) =>
        {
            string jobId = parse.GetValue(JobId)!;
            var status = await client.GetStatusAsync(jobId, token);
            if (status.State != JobState.Done)
            {
                await io.Err.WriteLineAsync($"error: job '{jobId}' is {status.State.ToString().ToLowerInvariant()}, not done{(status.Error is null ? "" : $": {status.Error}")}");
                return status.State == JobState.Running ? ExitCodes.Running : CodeOf(status);
            }

            string report = await client.GetReportAsync(jobId, token) ?? throw new InvalidOperationException($"job '{jobId}' is done but has no report");
            string outDir = Path.GetFullPath(parse.GetValue(FetchOut)!);
            Directory.CreateDirectory(outDir);
            await File.WriteAllTextAsync(Path.Combine(outDir, "report.json"), report, token);
            var written = new List<string> { "report.json" };
            string? siloDir = status.ReportPath is null ? null : Path.GetDirectoryName(status.ReportPath);
            foreach (string name in new[] { "report.html", "summary.md" })
            {
                string source = siloDir is null ? "" : Path.Combine(siloDir, name);
                if (siloDir is not null && File.Exists(source) && Path.GetFullPath(source) != Path.Combine(outDir, name))
                {
                    File.Copy(source, Path.Combine(outDir, name), overwrite: true);
                    written.Add(name);
                }
            }

            await io.Out.WriteLineAsync(string.Join(Environment.NewLine, written.Select(w => Path.Combine(outDir, w))));
            return ExitCodes.Ok;
        }));

        var cancel = new Command("cancel", "Cancel a running job (a finished one is left as it is); prints its status.") { JobId, Json };
        AddConnection(cancel);
        cancel.SetAction((parse, ct) => WithClient(parse, io, ct, async (client, token) =>
        {
            var status = await client.CancelAsync(parse.GetValue(JobId)!, token);
            await PrintAsync(status, parse.GetValue(Json), io);
            return status.State == JobState.Unknown ? ExitCodes.BadInput : ExitCodes.Ok;
        }));

        var jobs = new Command("jobs", "List the submitted jobs with their state.") { Json };
        AddConnection(jobs);
        jobs.SetAction((parse, ct) => WithClient(parse, io, ct, async (client, token) =>
        {
            var all = await client.ListJobsAsync(token);
            if (parse.GetValue(Json))
            {
                await io.Out.WriteLineAsync(JsonSerializer.Serialize(all, ScarJson.Options));
            }
            else
            {
                foreach (var s in all)
                {
                    await io.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{s.JobId}\t{s.State.ToString().ToLowerInvariant()}\t{s.Stage}\t{s.ProbesDone}/{s.ProbesTotal}\t{s.ElapsedSeconds:0.0}s"));
                }
            }

            return ExitCodes.Ok;
        }));

        return [submit, statusCommand, watch, fetch, cancel, jobs];
    }

    /// <summary>The exit code of a job's state: 0 done, 3 failed (2 when the error is a bad input), 4 cancelled, 2 unknown job, 7 running.</summary>
    public static int CodeOf(JobStatus status) => status.State switch
    {
        JobState.Done => ExitCodes.Ok,
        JobState.Cancelled => ExitCodes.Cancelled,
        JobState.Failed => status.ErrorInput is null ? ExitCodes.JobFailed : ExitCodes.BadInput,
        JobState.Running => ExitCodes.Running,
        _ => ExitCodes.BadInput,
    };

    private static void AddConnection(Command command)
    {
        command.Options.Add(Cluster);
        command.Options.Add(ClusterId);
        command.Options.Add(ConnectTimeout);
        ClusterTlsOptions.AddTo(command);
    }

    private static (JobSpec Spec, string? JobId) ReadSpec(ParseResult parse)
    {
        string? file = parse.GetValue(SpecFile);
        if (file is null)
        {
            return (CharacterizeCommand.BuildSpec(parse), null);
        }

        if (CharacterizeCommand.HasSpecOptions(parse))
        {
            throw new ScarInputException("SPEC", "give either a spec file or the spec options (--embeddings, --out, ...), not both.");
        }

        string full = Path.GetFullPath(file);
        if (!File.Exists(full))
        {
            throw new ScarInputException(file, "the spec file does not exist.");
        }

        string text = File.ReadAllText(full);
        bool yaml = full.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || full.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);
        var document = JobSpecDocument.Parse(yaml ? YamlSpec.ToJson(text, file) : text, file);
        return (document.ToJobSpec(Path.GetDirectoryName(full)!, file), document.JobId);
    }

    private static async Task<int> WithClient(ParseResult parse, ConsoleIo io, CancellationToken cancellationToken, Func<ScarClient, CancellationToken, Task<int>> action)
    {
        var connectTimeout = TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(ConnectTimeout)));
        var tls = ClusterTlsOptions.Load(parse);
        await using var client = await ScarClient.ConnectAsync(parse.GetValue(Cluster)!, parse.GetValue(ClusterId)!, connectTimeout, cancellationToken, tls);
        return await action(client, cancellationToken);
    }

    private static async Task<int> WatchAsync(ScarClient client, string jobId, ParseResult parse, ConsoleIo io, CancellationToken cancellationToken)
    {
        double? seconds = parse.GetValue(Timeout);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (seconds is > 0)
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(seconds.Value));
        }

        var display = new ProgressDisplay(io.Err, io.ErrIsTerminal);
        JobStatus? status = null;
        try
        {
            await foreach (var s in client.WatchAsync(jobId, timeout.Token))
            {
                status = s;
                await display.ShowAsync(s);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await display.FinishAsync();
            await io.Err.WriteLineAsync($"timed out after {seconds} s; job '{jobId}' keeps running (scar watch {jobId}, scar cancel {jobId})");
            return ExitCodes.TimedOut;
        }

        await display.FinishAsync();
        await PrintAsync(status!, parse.GetValue(Json), io);
        if (status!.State == JobState.Failed)
        {
            await io.Err.WriteLineAsync($"error: {status.Error}");
        }

        return CodeOf(status);
    }

    private static Task PrintAsync(JobStatus status, bool json, ConsoleIo io) =>
        io.Out.WriteLineAsync(json
            ? JsonSerializer.Serialize(status, ScarJson.Options)
            : string.Create(CultureInfo.InvariantCulture, $"{status.JobId}\t{status.State.ToString().ToLowerInvariant()}\t{status.Stage}\t{status.ProbesDone}/{status.ProbesTotal}\t{status.ElapsedSeconds:0.0}s{(status.Error is null ? "" : $"\t{status.Error}")}"));
}
