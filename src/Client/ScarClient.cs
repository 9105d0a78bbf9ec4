using System.Runtime.CompilerServices;
using Scar.Abstractions;
using Scar.Core;
using Scar.Grains;

namespace Scar.Client;

/// <summary>
/// The SDK for driving Scar jobs on a cluster (or on the embedded silo): submit, watch, fetch the report, cancel,
/// list. Every call retries transient connection faults with a growing delay (<see cref="Transient"/>), gives up
/// after <see cref="CallTimeout"/> per attempt, and honours its cancellation token. The <c>scar</c> command is built
/// on it. Create one with <see cref="ConnectAsync"/> (it then owns the connection) or over an existing
/// <see cref="IClusterClient"/>.
/// </summary>
/// <param name="cluster">A connected Orleans client.</param>
public sealed class ScarClient(IClusterClient cluster) : IAsyncDisposable
{
    private IAsyncDisposable? _owned;

    /// <summary>How often <see cref="WatchAsync"/> polls.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Time limit of one attempt of one call (a timed-out attempt counts as transient and is retried).</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Connects to the gateways <paramref name="gateways"/> ("host:port[,host:port…]", or a membership URI
    /// redis://… or postgres://…, see <see cref="ClusterConnection.ConnectAsync"/>) of cluster
    /// <paramref name="clusterId"/>, over TLS with <paramref name="tlsCertificate"/> when given; throws <see cref="ClusterUnreachableException"/> when none answers within
    /// <paramref name="connectTimeout"/> (default 30 s). The returned client owns the connection: dispose it.
    /// </summary>
    public static async Task<ScarClient> ConnectAsync(string gateways, string clusterId = "scar-local", TimeSpan? connectTimeout = null, CancellationToken cancellationToken = default,
        System.Security.Cryptography.X509Certificates.X509Certificate2? tlsCertificate = null)
    {
        var connection = await ClusterConnection.ConnectAsync(gateways, clusterId, cancellationToken, connectTimeout, tlsCertificate);
        return new ScarClient(connection.Client) { _owned = connection };
    }

    /// <summary>
    /// Submits <paramref name="spec"/> as job <paramref name="jobId"/> (a fresh id when null) and returns its status;
    /// <see cref="JobStatus.JobId"/> is the id. Submitting the same spec under the same id again is a no-op that
    /// returns the job's current status (no second run); a different spec under an existing id throws
    /// <see cref="InvalidOperationException"/>.
    /// </summary>
    public async Task<JobStatus> SubmitAsync(JobSpec spec, string? jobId = null, CancellationToken cancellationToken = default)
    {
        string id = jobId is null ? JobIds.New() : JobIds.Validate(jobId, "--job-id");
        return await CallAsync(ct => Job(id).StartAsync(spec, ct), cancellationToken);
    }

    /// <summary>Submits <paramref name="spec"/> as job <paramref name="jobId"/>; idempotent for the same id and spec.</summary>
    public Task<JobStatus> SubmitAsync(string jobId, JobSpec spec, CancellationToken cancellationToken = default) =>
        SubmitAsync(spec, jobId, cancellationToken);

    /// <summary>The job's current status (<see cref="JobState.Unknown"/> for an id never submitted).</summary>
    public Task<JobStatus> GetStatusAsync(string jobId, CancellationToken cancellationToken = default) =>
        CallAsync(ct => Job(jobId).GetStatusAsync(ct), cancellationToken);

    /// <summary>The text of the job's report.json, or null while it is not done.</summary>
    public Task<string?> GetReportAsync(string jobId, CancellationToken cancellationToken = default) =>
        CallAsync(ct => Job(jobId).GetReportAsync(ct), cancellationToken);

    /// <summary>Asks the job to stop and returns its status after it stopped (finished jobs are left as they are).</summary>
    public Task<JobStatus> CancelAsync(string jobId, CancellationToken cancellationToken = default) =>
        CallAsync(ct => Job(jobId).CancelAsync(ct), cancellationToken);

    /// <summary>The statuses of every submitted job, oldest first.</summary>
    public async Task<IReadOnlyList<JobStatus>> ListJobsAsync(CancellationToken cancellationToken = default)
    {
        var entries = await CallAsync(ct => cluster.GetGrain<IJobRegistryGrain>(IJobRegistryGrain.Key).ListAsync(ct), cancellationToken);
        return await Task.WhenAll(entries.Select(e => GetStatusAsync(e.JobId, cancellationToken)));
    }

    /// <summary>Statuses of the job until it is no longer running; the last one is final.</summary>
    public async IAsyncEnumerable<JobStatus> WatchAsync(string jobId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var status = await GetStatusAsync(jobId, cancellationToken);
            yield return status;
            if (status.State != JobState.Running)
            {
                yield break;
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    /// <summary>Waits until the job is no longer running and returns its final status.</summary>
    public async Task<JobStatus> WaitAsync(string jobId, CancellationToken cancellationToken = default)
    {
        JobStatus? last = null;
        await foreach (var status in WatchAsync(jobId, cancellationToken))
        {
            last = status;
        }

        return last!;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_owned is not null)
        {
            await _owned.DisposeAsync();
            _owned = null;
        }
    }

    private async Task<T> CallAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        await Transient.RetryAsync(
            async () =>
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(CallTimeout);
                try
                {
                    return await call(attempt.Token).WaitAsync(attempt.Token);
                }
                catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"the cluster did not answer within {CallTimeout.TotalSeconds:0.#} s", e);
                }
            },
            cancellationToken);

    private IScarJobGrain Job(string jobId) => cluster.GetGrain<IScarJobGrain>(jobId);
}

