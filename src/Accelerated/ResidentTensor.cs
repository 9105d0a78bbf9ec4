using Microsoft.ML.OnnxRuntime;

namespace Scar.Accelerated;

/// <summary>
/// A large input bound once for many runs: on the CPU provider the tensor over the pinned managed array itself;
/// on CUDA a device copy made by running an Identity graph with its output bound to GPU memory, so that the
/// data crosses the bus once rather than on every Lloyd iteration or epoch.
/// </summary>
internal sealed class ResidentTensor : IDisposable
{
    private readonly OrtValue _host;
    private readonly IDisposableReadOnlyCollection<OrtValue>? _device;

    private ResidentTensor(OrtValue host, IDisposableReadOnlyCollection<OrtValue>? device)
    {
        _host = host;
        _device = device;
    }

    /// <summary>The value to bind.</summary>
    public OrtValue Value => _device is null ? _host : _device[0];

    /// <summary>True when <see cref="Value"/> is a copy made by the upload graph.</summary>
    public bool Uploaded => _device is not null;

    /// <summary>
    /// Wraps <paramref name="data"/> (kept alive and pinned) and, when <paramref name="upload"/>, copies it to the
    /// provider's memory, through an Identity session of <paramref name="uploads"/> (or one opened for this copy).
    /// </summary>
    public static ResidentTensor Create<T>(T[] data, long[] shape, string provider, bool upload, UploadSessions? uploads = null)
        where T : unmanaged
    {
        var host = OrtValue.CreateTensorValueFromMemory(data, shape);
        if (!upload)
        {
            return new ResidentTensor(host, null);
        }

        try
        {
            var type = typeof(T) == typeof(float) ? Onnx.OnnxType.Float
                : typeof(T) == typeof(long) ? Onnx.OnnxType.Int64
                : throw new ArgumentException($"cannot upload {typeof(T).Name} tensors.", nameof(data));
            var requested = provider == "CUDA" ? AcceleratorProvider.Cuda : AcceleratorProvider.Cpu;
            using var own = uploads is null ? AcceleratorSessions.Open(Onnx.AcceleratorGraphs.Identity(type, shape.Length), requested, threads: 0, out _) : null;
            InferenceSession session = own ?? uploads!.Get(type, shape.Length);
            using var binding = session.CreateIoBinding();
            using var runOptions = new RunOptions();
            using var cuda = provider == "CUDA" ? new OrtMemoryInfo(OrtMemoryInfo.allocatorCUDA, OrtAllocatorType.DeviceAllocator, 0, OrtMemType.Default) : null;
            binding.BindInput("in", host);
            binding.BindOutputToDevice("out", cuda ?? OrtMemoryInfo.DefaultInstance);
            session.RunWithBinding(runOptions, binding);
            binding.SynchronizeBoundOutputs();
            return new ResidentTensor(host, binding.GetOutputValues());
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _device?.Dispose();
        _host.Dispose();
    }
}

/// <summary>The Identity sessions that copy tensors to a device, one per element type and rank, opened once and shared.</summary>
internal sealed class UploadSessions(AcceleratorProvider provider) : IDisposable
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(Onnx.OnnxType, int), Lazy<InferenceSession>> _sessions = new();

    public InferenceSession Get(Onnx.OnnxType type, int rank) =>
        _sessions.GetOrAdd((type, rank), key => new Lazy<InferenceSession>(() =>
            AcceleratorSessions.Open(Onnx.AcceleratorGraphs.Identity(key.Item1, key.Item2), provider, threads: 0, out _))).Value;

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
    }
}
