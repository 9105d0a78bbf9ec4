using Microsoft.ML.OnnxRuntime;
using Scar.Accelerated.Onnx;
using Scar.Core.Numerics;

namespace Scar.Accelerated;

/// <summary>
/// k-means' nearest-centre search (and, by default, the per-cluster sums) as one ONNX Runtime graph
/// (<see cref="AcceleratorGraphs.KMeansAssignment"/>) over a data matrix bound once; on CUDA the matrix is copied to
/// the GPU once, and each Lloyd iteration moves only the k × d centres in and n labels, n distances and k × d sums out.
/// </summary>
/// <remarks>
/// Differences from the managed kernel: the Gemm adds ‖c‖² inside the product (same formula, other rounding);
/// device sums are float32 (cuBLAS / MLAS accumulation) where the managed ones are double, so centres can differ in
/// the last float digits; on CUDA, ArgMin's tie order between exactly equal scores is the provider's. Pass
/// <c>sumOnDevice: false</c> to keep the double sums on the CPU (one pass over the rows per iteration).
/// </remarks>
public sealed class OnnxCentreAssigner : ICentreAssigner, IDisposable
{
    private readonly int _n;
    private readonly int _d;
    private readonly int _k;
    private readonly bool _sumOnDevice;
    private readonly InferenceSession _session;
    private readonly bool _ownsSession;
    private readonly OrtIoBinding _binding;
    private readonly RunOptions _runOptions = new();
    private readonly ResidentTensor _x;
    private readonly float[] _centres;
    private readonly float[] _centreNorms;
    private readonly OrtValue _centresValue;
    private readonly OrtValue _centreNormsValue;
    private readonly long[] _labels;
    private readonly float[] _distances;
    private readonly float[] _sums;
    private readonly long[] _counts;
    private readonly List<OrtValue> _outputs = [];

    /// <summary>Builds the graph for <paramref name="x"/> (kept by reference: do not change it while this lives) and <paramref name="k"/> centres.</summary>
    /// <exception cref="AcceleratorUnavailableException"><paramref name="provider"/> is CUDA and CUDA cannot start.</exception>
    public OnnxCentreAssigner(FloatMatrix x, int k, AcceleratorProvider provider, bool sumOnDevice = true, int threads = 0)
        : this(x, k, provider, sumOnDevice, threads, forceUpload: false)
    {
    }

    internal OnnxCentreAssigner(FloatMatrix x, int k, AcceleratorProvider provider, bool sumOnDevice, int threads, bool forceUpload)
        : this(OpenOwn(x, k, provider, sumOnDevice, threads, out string used), ownsSession: true, used, x, k, sumOnDevice, forceUpload, uploads: null)
    {
    }

    /// <summary>
    /// Over a session of <see cref="AcceleratorGraphs.KMeansAssignment"/> shared with other shards (not disposed here),
    /// on <paramref name="provider"/> ("CUDA" or "CPU"); <paramref name="uploads"/> copies the rows to the device.
    /// </summary>
    internal OnnxCentreAssigner(InferenceSession session, bool ownsSession, string provider, FloatMatrix x, int k, bool sumOnDevice, bool forceUpload, UploadSessions? uploads)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        (_n, _d, _k, _sumOnDevice) = (x.Rows, x.Cols, k, sumOnDevice);
        _session = session;
        _ownsSession = ownsSession;
        string used = provider;
        Provider = used;
        try
        {
            _x = ResidentTensor.Create(x.Data, [_n, _d], used, upload: used == "CUDA" || forceUpload, uploads);
            _centres = new float[k * _d];
            _centreNorms = new float[k];
            _centresValue = OrtValue.CreateTensorValueFromMemory(_centres, [k, _d]);
            _centreNormsValue = OrtValue.CreateTensorValueFromMemory(_centreNorms, [1, k]);
            _labels = new long[_n];
            _distances = new float[_n];
            _sums = new float[sumOnDevice ? k * _d : 0];
            _counts = new long[sumOnDevice ? k : 0];
            _binding = _session.CreateIoBinding();
            _binding.BindInput("X", _x.Value);
            Bind("labels", OrtValue.CreateTensorValueFromMemory(_labels, [_n]));
            Bind("distances", OrtValue.CreateTensorValueFromMemory(_distances, [_n]));
            if (sumOnDevice)
            {
                Bind("sums", OrtValue.CreateTensorValueFromMemory(_sums, [k, _d]));
                Bind("counts", OrtValue.CreateTensorValueFromMemory(_counts, [k]));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>"CUDA" or "CPU": the execution provider the graph runs on.</summary>
    public string Provider { get; }

    /// <summary>True when the data matrix was copied to the provider's memory (always on CUDA).</summary>
    internal bool Uploaded => _x.Uploaded;

    /// <inheritdoc/>
    public bool Assign(float[] centroids, float[] centreNorms, int[] labels, float[] distances, double[]? sums, long[]? counts)
    {
        ArgumentNullException.ThrowIfNull(centroids);
        ArgumentNullException.ThrowIfNull(centreNorms);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(distances);
        if (centroids.Length != _k * _d || centreNorms.Length != _k || labels.Length < _n || distances.Length < _n)
        {
            throw new ArgumentException($"buffers do not fit n = {_n}, d = {_d}, k = {_k}.", nameof(centroids));
        }

        centroids.AsSpan().CopyTo(_centres);
        centreNorms.AsSpan().CopyTo(_centreNorms);

        // Re-bound every call: a host input bound to a CUDA graph may be copied to the device at bind time.
        _binding.BindInput("C", _centresValue);
        _binding.BindInput("cnorm", _centreNormsValue);
        _session.RunWithBinding(_runOptions, _binding);
        _binding.SynchronizeBoundOutputs();
        for (int i = 0; i < _n; i++)
        {
            labels[i] = (int)_labels[i];
        }

        _distances.AsSpan().CopyTo(distances);
        if (!_sumOnDevice || sums is null || counts is null)
        {
            return false;
        }

        for (int i = 0; i < _sums.Length; i++)
        {
            sums[i] = _sums[i];
        }

        _counts.AsSpan().CopyTo(counts);
        return true;
    }

    public void Dispose()
    {
        _binding?.Dispose();
        foreach (OrtValue value in _outputs)
        {
            value.Dispose();
        }

        _centresValue?.Dispose();
        _centreNormsValue?.Dispose();
        _x?.Dispose();
        _runOptions.Dispose();
        if (_ownsSession)
        {
            _session.Dispose();
        }
    }

    private static InferenceSession OpenOwn(FloatMatrix x, int k, AcceleratorProvider provider, bool sumOnDevice, int threads, out string used)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        return AcceleratorSessions.Open(AcceleratorGraphs.KMeansAssignment(x.Cols, k, sumOnDevice), provider, threads, out used);
    }

    private void Bind(string name, OrtValue value)
    {
        _outputs.Add(value);
        _binding.BindOutput(name, value);
    }
}
