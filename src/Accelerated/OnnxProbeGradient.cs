using Microsoft.ML.OnnxRuntime;
using Scar.Accelerated.Onnx;
using Scar.Core.Numerics;

namespace Scar.Accelerated;

/// <summary>
/// The probe's full-batch forward and gradient as one ONNX Runtime graph (<see cref="AcceleratorGraphs.ProbeGradient"/>)
/// over the training rows, gathered and bound once (copied to the GPU once on CUDA); each epoch moves only W and b
/// in and the d × k gradient, the loss and the correct count out. Adam stays in <see cref="ProbeTrainer"/>.
/// </summary>
/// <remarks>
/// Differences from the managed kernel: softmax, the (p − y)/N scaling and the loss are float32 here (the managed
/// kernel uses double for those, then rounds the gradient to float), and Xᵀ·G is one product accumulated by the
/// provider instead of per-block products folded in double; gradients agree to about 1e-6 of their largest entry.
/// </remarks>
public sealed class OnnxProbeGradient : IProbeGradientSource, IDisposable
{
    private readonly int _d;
    private readonly int _k;
    private readonly InferenceSession _session;
    private readonly bool _ownsSession;
    private readonly OrtIoBinding _binding;
    private readonly RunOptions _runOptions = new();
    private readonly List<ResidentTensor> _resident = [];
    private readonly List<OrtValue> _values = [];
    private readonly float[] _w;
    private readonly float[] _b;
    private readonly OrtValue _wValue;
    private readonly OrtValue _bValue;
    private readonly float[] _gradW;
    private readonly float[] _gradB;
    private readonly float[] _loss = new float[1];
    private readonly long[] _correct = new long[1];

    /// <summary>Gathers rows <paramref name="rows"/> of <paramref name="x"/> with their <paramref name="labels"/> for a <paramref name="classes"/>-way probe.</summary>
    /// <exception cref="AcceleratorUnavailableException"><paramref name="provider"/> is CUDA and CUDA cannot start.</exception>
    public OnnxProbeGradient(FloatMatrix x, int[] rows, int[] labels, int classes, AcceleratorProvider provider, int threads = 0)
        : this(OpenOwn(x, classes, provider, threads, out string used), ownsSession: true, used, x, rows, labels, classes, scale: null, uploads: null)
    {
    }

    /// <summary>
    /// Over a session of <see cref="AcceleratorGraphs.ProbeGradient"/> shared with other probes (not disposed here), on
    /// <paramref name="provider"/> ("CUDA" or "CPU"); each row's gradient scaled by <paramref name="scale"/> (1/n when null).
    /// <paramref name="uploads"/> copies tensors to the device (a shared Identity session), or null for one of its own.
    /// </summary>
    internal OnnxProbeGradient(InferenceSession session, bool ownsSession, string provider, FloatMatrix x, int[] rows, int[] labels, int classes, float? scale, UploadSessions? uploads)
    {
        _session = session;
        _ownsSession = ownsSession;
        Provider = provider;
        try
        {
            ArgumentNullException.ThrowIfNull(x);
            ArgumentNullException.ThrowIfNull(rows);
            ArgumentNullException.ThrowIfNull(labels);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
            if (labels.Length != rows.Length || rows.Length == 0)
            {
                throw new ArgumentException($"{labels.Length} labels for {rows.Length} rows; the probe needs at least one row with a label each.", nameof(labels));
            }

            int n = rows.Length;
            (_d, _k) = (x.Cols, classes);
            string used = provider;
            bool upload = used == "CUDA";
            float[] data = GatherRows(x, rows);
            float[] hot = new float[(long)n * _k > Array.MaxLength ? throw new ArgumentException("rows × classes exceeds one array.", nameof(rows)) : n * _k];
            long[] y = new long[n];
            for (int i = 0; i < n; i++)
            {
                if ((uint)labels[i] >= (uint)classes)
                {
                    throw new ArgumentOutOfRangeException(nameof(labels), $"labels[{i}] = {labels[i]} is outside [0, {classes}).");
                }

                hot[(i * _k) + labels[i]] = 1f;
                y[i] = labels[i];
            }

            _binding = _session.CreateIoBinding();
            BindResident("X", ResidentTensor.Create(data, [n, _d], used, upload, uploads));
            BindResident("Yhot", ResidentTensor.Create(hot, [n, _k], used, upload, uploads));
            BindResident("Y", ResidentTensor.Create(y, [n], used, upload, uploads));
            BindResident("scale", ResidentTensor.Create(new[] { scale ?? (1f / n) }, [1], used, upload, uploads));
            _w = new float[_d * _k];
            _b = new float[_k];
            _wValue = OrtValue.CreateTensorValueFromMemory(_w, [_d, _k]);
            _bValue = OrtValue.CreateTensorValueFromMemory(_b, [_k]);
            _gradW = new float[_d * _k];
            _gradB = new float[_k];
            BindOutput("gradW", OrtValue.CreateTensorValueFromMemory(_gradW, [_d, _k]));
            BindOutput("gradB", OrtValue.CreateTensorValueFromMemory(_gradB, [_k]));
            BindOutput("loss", OrtValue.CreateTensorValueFromMemory(_loss, []));
            BindOutput("correct", OrtValue.CreateTensorValueFromMemory(_correct, []));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>"CUDA" or "CPU": the execution provider the graph runs on.</summary>
    public string Provider { get; }

    /// <inheritdoc/>
    public GradientSums Compute(ProbeModel model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Dim != _d || model.Classes != _k)
        {
            throw new ArgumentException($"a {model.Dim} × {model.Classes} probe for a graph built for {_d} × {_k}.", nameof(model));
        }

        cancellationToken.ThrowIfCancellationRequested();
        model.Weights.AsSpan().CopyTo(_w);
        model.Bias.AsSpan().CopyTo(_b);
        _binding.BindInput("W", _wValue); // re-bound every epoch: see OnnxCentreAssigner.Assign
        _binding.BindInput("B", _bValue);
        _session.RunWithBinding(_runOptions, _binding);
        _binding.SynchronizeBoundOutputs();
        var gradW = new double[_gradW.Length];
        for (int i = 0; i < gradW.Length; i++)
        {
            gradW[i] = _gradW[i];
        }

        var gradB = new double[_k];
        for (int i = 0; i < _k; i++)
        {
            gradB[i] = _gradB[i];
        }

        return new GradientSums(gradW, gradB, _loss[0], _correct[0]);
    }

    public void Dispose()
    {
        _binding?.Dispose();
        foreach (OrtValue value in _values)
        {
            value.Dispose();
        }

        foreach (ResidentTensor tensor in _resident)
        {
            tensor.Dispose();
        }

        _wValue?.Dispose();
        _bValue?.Dispose();
        _runOptions.Dispose();
        if (_ownsSession)
        {
            _session.Dispose();
        }
    }

    private static InferenceSession OpenOwn(FloatMatrix x, int classes, AcceleratorProvider provider, int threads, out string used)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        return AcceleratorSessions.Open(AcceleratorGraphs.ProbeGradient(x.Cols, classes), provider, threads, out used);
    }

    private static float[] GatherRows(FloatMatrix x, int[] rows)
    {
        int d = x.Cols;
        bool identity = rows.Length == x.Rows;
        for (int i = 0; identity && i < rows.Length; i++)
        {
            identity = rows[i] == i;
        }

        if (identity)
        {
            return x.Data;
        }

        float[] data = new float[checked(rows.Length * d)];
        for (int i = 0; i < rows.Length; i++)
        {
            if ((uint)rows[i] >= (uint)x.Rows)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), $"rows[{i}] = {rows[i]} is outside the matrix's {x.Rows} rows.");
            }

            x.Row(rows[i]).CopyTo(data.AsSpan(i * d, d));
        }

        return data;
    }

    private void BindResident(string name, ResidentTensor tensor)
    {
        _resident.Add(tensor);
        _binding.BindInput(name, tensor.Value);
    }

    private void BindOutput(string name, OrtValue value)
    {
        _values.Add(value);
        _binding.BindOutput(name, value);
    }
}
