using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Scar.Abstractions;
using Scar.Core;
using Scar.Core.Pipeline;

namespace Scar.Grains;

/// <summary>
/// The job coordinator: validates the spec, drives the stages (prepare → probe → complete → report) through
/// <see cref="Characterizer"/> with probe grains doing the training, records progress, and checkpoints every
/// finished probe so that a re-activated job resumes instead of starting over.
/// </summary>
public sealed class ScarJobGrain(
    [PersistentState("job", ScarSiloOptions.StorageName)] IPersistentState<JobRecord> state,
    IOptions<ScarSiloOptions> options,
    ILocalSiloDetails silo,
    ILogger<ScarJobGrain> logger) : Grain, IScarJobGrain
{
    private readonly SemaphoreSlim _saving = new(1, 1);
    private CancellationTokenSource? _cancel;
    private Task? _run;
    private JobProgress _progress = new("submitted", 0, 0);
    private int _unsaved;
    private int _trained;
    private int _restored;
    private bool _handover;
    private readonly Dictionary<string, double> _finishedStages = new(StringComparer.Ordinal);
    private string _stage = "";
    private DateTime _stageStarted;

    /// <inheritdoc/>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A job that was running when its previous activation went away resumes from its checkpoint.
        if (state.State.Status is { State: JobState.Running } && state.State.Spec is not null)
        {
            logger.LogInformation("Resuming job {JobId} with {Probes} finished probes", this.GetPrimaryKeyString(), state.State.Probes.Count);
            state.State.Activations++;
            StartRun();
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// A silo shutting down (SIGTERM) hands the job over: the run stops, every finished probe is written to the
    /// checkpoint and the record stays Running, so the next call activates the coordinator on another silo and it resumes.
    /// </summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_run is { IsCompleted: false } run)
        {
            logger.LogInformation("Handing job {JobId} over ({Reason}) with {Probes} finished probes", this.GetPrimaryKeyString(), reason, state.State.Probes.Count);
            _handover = true;
            _cancel?.Cancel();
            try
            {
                await run.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // The silo's deactivation deadline passed; the last checkpoint stands.
            }
        }
    }

    /// <inheritdoc/>
    public async Task<JobStatus> StartAsync(JobSpec spec, CancellationToken cancellationToken = default)
    {
        // First, so that a failed registration leaves nothing behind and a retry registers the job (idempotent).
        await GrainFactory.GetGrain<IJobRegistryGrain>(IJobRegistryGrain.Key).RegisterAsync(this.GetPrimaryKeyString(), cancellationToken);
        if (state.State.Spec is { } existing)
        {
            if (JsonSerializer.Serialize(existing) != JsonSerializer.Serialize(spec))
            {
                throw new InvalidOperationException($"job '{this.GetPrimaryKeyString()}' already exists with a different spec; choose another job id.");
            }

            return Status();
        }

        state.State.Spec = spec;
        state.State.StartedUtc = DateTime.UtcNow;
        state.State.Activations = 1;
        try
        {
            spec.ToOptions().Validate();
            state.State.Status = Status() with { State = JobState.Running, Stage = "submitted" };
        }
        catch (ScarInputException e)
        {
            state.State.Status = Status() with { State = JobState.Failed, Stage = "submitted", Error = e.Message, ErrorInput = e.Input };
        }

        await SaveAsync();
        if (state.State.Status.State == JobState.Running)
        {
            StartRun();
        }

        return Status();
    }

    /// <inheritdoc/>
    public Task<JobStatus> GetStatusAsync(CancellationToken cancellationToken = default) => Task.FromResult(Status());

    /// <inheritdoc/>
    public Task<string?> GetReportAsync(CancellationToken cancellationToken = default) => Task.FromResult(state.State.Report);

    /// <inheritdoc/>
    public async Task<JobStatus> CancelAsync(CancellationToken cancellationToken = default)
    {
        if (state.State.Status is { State: JobState.Running })
        {
            _cancel?.Cancel();
            if (_run is not null)
            {
                await _run;
            }
        }

        return Status();
    }

    private void StartRun()
    {
        _cancel = new CancellationTokenSource();
        DelayDeactivation(TimeSpan.FromDays(7));
        _run = RunAsync(_cancel.Token);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var record = state.State;
        var spec = record.Spec!;
        var coreOptions = spec.ToOptions();
        int concurrency = options.Value.ProbeConcurrency > 0 ? options.Value.ProbeConcurrency : 4 * Environment.ProcessorCount;
        string jobId = this.GetPrimaryKeyString();
        var shards = new GrainShardProvider(GrainFactory, jobId, coreOptions.ShardRows);
        var executor = new GrainProbeExecutor(GrainFactory, jobId, coreOptions.Probe, coreOptions.ShardRows, concurrency, record.Probes, OnProbeResultAsync, () => _restored++);
        var progress = new InlineProgress(OnProgress);
        var checkpoint = new RecordCheckpoint(record, SaveAsync);
        JobStatus? final;
        using var span = Core.Telemetry.ScarTelemetry.Source.StartActivity("scar.job");
        span?.SetTag("scar.job", jobId);
        span?.SetTag("scar.resumed_probes", record.Probes.Count);
        try
        {
            if (spec.Extraction is { } extraction)
            {
                coreOptions = await ExtractionStage.RunAsync(GrainFactory, this.GetPrimaryKeyString(), extraction, coreOptions, progress, cancellationToken);
            }

            var result = await Characterizer.RunAsync(coreOptions, spec.OutDir, executor, shards, progress, checkpoint, cancellationToken);
            record.Report = JsonSerializer.Serialize(result.Report, Characterizer.JsonOptions);
            foreach (var (stage, seconds) in result.StageSeconds)
            {
                Core.Telemetry.ScarTelemetry.StageDuration.Record(seconds, new KeyValuePair<string, object?>("stage", stage));
            }

            final = Status() with
            {
                State = JobState.Done,
                Stage = "done",
                ReportPath = Path.Combine(Path.GetFullPath(spec.OutDir), "report.json"),
                StageSeconds = new Dictionary<string, double>(result.StageSeconds),
            };
        }
        catch (Exception) when (_handover)
        {
            final = null;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            final = Status() with { State = JobState.Cancelled };
        }
        catch (ScarInputException e)
        {
            final = Status() with { State = JobState.Failed, Error = e.Message, ErrorInput = e.Input };
        }
        catch (Exception e)
        {
            logger.LogError(e, "Job {JobId} failed", this.GetPrimaryKeyString());
            final = Status() with { State = JobState.Failed, Error = Unwrap(e).Message };
        }

        span?.SetTag("scar.state", final?.State.ToString() ?? "handed-over");
        if (final is { State: JobState.Failed })
        {
            span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, final?.Error);
        }

        if (final is null)
        {
            await SaveAsync();
            return;
        }

        record.Status = final;
        await SaveAsync();
        DelayDeactivation(TimeSpan.FromMinutes(-1));
    }

    // Records how long each finished stage took, so that a failed or cancelled job still shows what it completed.
    private void OnProgress(JobProgress p)
    {
        if (p.Stage != _stage)
        {
            DateTime now = DateTime.UtcNow;
            if (_stage.Length > 0)
            {
                _finishedStages[_stage] = Math.Round((now - _stageStarted).TotalSeconds, 3);
            }

            _stage = p.Stage;
            _stageStarted = now;
        }

        _progress = p;
    }

    private async Task OnProbeResultAsync(ProbeResult result)
    {
        state.State.Probes[result.Id] = result;
        _trained++;
        if (++_unsaved >= options.Value.CheckpointEvery)
        {
            await SaveAsync();
        }
    }

    // Writes are serialized: probe completions interleave at awaits, and storage rejects concurrent writes.
    private async Task SaveAsync()
    {
        await _saving.WaitAsync();
        try
        {
            _unsaved = 0;
            if (state.State.Status is { State: JobState.Running } s)
            {
                state.State.Status = s with { Stage = _progress.Stage, ProbesDone = _progress.ProbesDone, ProbesTotal = _progress.ProbesTotal };
            }

            await state.WriteStateAsync();
        }
        finally
        {
            _saving.Release();
        }
    }

    private JobStatus Status()
    {
        var recorded = state.State.Status ?? new JobStatus { JobId = this.GetPrimaryKeyString(), State = JobState.Unknown };
        recorded = recorded with
        {
            ProbesTrainedThisActivation = _trained,
            ProbesRestoredFromCheckpoint = _restored,
            CoordinatorActivations = state.State.Activations,
        };
        double elapsed = state.State.StartedUtc == default ? 0 : (DateTime.UtcNow - state.State.StartedUtc).TotalSeconds;
        if (recorded.State != JobState.Running)
        {
            return recorded;
        }

        return recorded with
        {
            Stage = _progress.Stage,
            ProbesDone = _progress.ProbesDone,
            ProbesTotal = _progress.ProbesTotal,
            ElapsedSeconds = elapsed,
            CoordinatorSilo = silo.SiloAddress.ToString(),
            StageSeconds = new Dictionary<string, double>(_finishedStages),
        };
    }

    private static Exception Unwrap(Exception e) => e is AggregateException { InnerException: { } inner } ? Unwrap(inner) : e;

    // The preparation stage is recorded once finished, so that a resumed job goes straight to its probes.
    private sealed class RecordCheckpoint(JobRecord record, Func<Task> save) : IJobCheckpoint
    {
        public PreparedJob? Prepared(string key) =>
            record.Prepared.TryGetValue(key, out var json) ? JsonSerializer.Deserialize<PreparedJob>(json, Characterizer.JsonOptions) : null;

        public async Task SavePreparedAsync(string key, PreparedJob prepared)
        {
            record.Prepared[key] = JsonSerializer.Serialize(prepared, Characterizer.JsonOptions);
            await save();
        }
    }

    // Progress<T> would post to the thread pool; the job only needs the latest value, set where it is reported.
    private sealed class InlineProgress(Action<JobProgress> set) : IProgress<JobProgress>
    {
        public void Report(JobProgress value) => set(value);
    }
}
