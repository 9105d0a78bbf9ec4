using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;
using Scar.Accelerated.Onnx;
using Scar.Core.Distributed;
using Scar.Core.Numerics;

namespace Scar.Accelerated;

/// <summary>
/// A silo's embedding shards' k-means assignments and probe gradients on ONNX Runtime (CUDA on a GPU silo): one
/// session per graph shape, opened on first use and shared by every shard and probe of the process (each binds its
/// own rows; ONNX Runtime runs a session from several threads at once), and one upload session per tensor kind.
/// On CUDA a shard's rows are copied to the GPU once per k-means run and a probe's subset once per probe.
/// </summary>
public sealed class OnnxShardAccelerator : IShardAccelerator, IDisposable
{
    private readonly AcceleratorProvider _requested;
    private readonly int _threads;
    private readonly ConcurrentDictionary<string, Lazy<InferenceSession>> _sessions = new(StringComparer.Ordinal);
    private readonly UploadSessions _uploads;
    private int _opened;

    /// <summary>
    /// Opens the provider now (a tiny upload graph), so that a CUDA that cannot start is an
    /// <see cref="AcceleratorUnavailableException"/> here, when the silo starts, not in the middle of a job.
    /// <paramref name="provider"/> <see cref="AcceleratorProvider.Auto"/> takes CUDA when it starts, else the CPU provider.
    /// </summary>
    /// <exception cref="AcceleratorUnavailableException">CUDA was requested and cannot start.</exception>
    public OnnxShardAccelerator(AcceleratorProvider provider, int threads = 0)
    {
        _threads = threads;
        using (AcceleratorSessions.Open(AcceleratorGraphs.Identity(OnnxType.Float, 1), provider, threads: 1, out string used))
        {
            Provider = used;
        }

        _requested = Provider == "CUDA" ? AcceleratorProvider.Cuda : AcceleratorProvider.Cpu;
        _uploads = new UploadSessions(_requested);
    }

    /// <inheritdoc/>
    public string Provider { get; }

    /// <summary>Graph sessions opened so far, disposed ones included (one per graph shape, whatever the number of shards and probes).</summary>
    public int SessionsOpened => Volatile.Read(ref _opened);

    /// <inheritdoc/>
    public ICentreAssigner CreateAssigner(FloatMatrix x, int k)
    {
        ArgumentNullException.ThrowIfNull(x);
        var session = Session($"kmeans|{x.Cols}|{k}", () => AcceleratorGraphs.KMeansAssignment(x.Cols, k, true));
        return new OnnxCentreAssigner(session, ownsSession: false, Provider, x, k, sumOnDevice: true, forceUpload: false, _uploads);
    }

    /// <inheritdoc/>
    public IProbeGradientSource CreateGradient(FloatMatrix x, int[] rows, int[] labels, int classes, float invN)
    {
        ArgumentNullException.ThrowIfNull(x);
        var session = Session($"probe|{x.Cols}|{classes}", () => AcceleratorGraphs.ProbeGradient(x.Cols, classes));
        return new OnnxProbeGradient(session, ownsSession: false, Provider, x, rows, labels, classes, invN, _uploads);
    }

    public void Dispose()
    {
        foreach (var session in _sessions.Values)
        {
            if (session.IsValueCreated)
            {
                session.Value.Dispose();
            }
        }

        _sessions.Clear();
        _uploads.Dispose();
    }

    private InferenceSession Session(string key, Func<byte[]> graph) =>
        _sessions.GetOrAdd(key, _ => new Lazy<InferenceSession>(() =>
        {
            var session = AcceleratorSessions.Open(graph(), _requested, _threads, out _);
            Interlocked.Increment(ref _opened);
            return session;
        })).Value;
}
