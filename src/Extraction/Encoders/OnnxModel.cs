using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace Scar.Extraction.Encoders;

/// <summary>A loaded ONNX model with its chosen input and output, run on float or int64 tensors.</summary>
public sealed class OnnxModel : IDisposable
{
    private readonly InferenceSession _session;

    /// <summary>
    /// Loads the model; null names take the model's first input and output. <paramref name="ioBinding"/>: run through
    /// an ONNX Runtime I/O binding (null: only on CUDA, where inputs are copied to the device once per batch).
    /// </summary>
    public OnnxModel(string path, string? inputName, string? outputName, ExecutionProviderKind provider, ILogger? logger, bool? ioBinding = null)
    {
        _session = OnnxSessions.Open(path, provider, logger, out string used);
        Provider = used;
        UsesIoBinding = ioBinding ?? used == "CUDA";
        InputName = inputName ?? _session.InputNames[0];
        OutputName = outputName ?? _session.OutputNames[0];
        if (!_session.InputMetadata.ContainsKey(InputName))
        {
            throw new ExtractionException($"model {path} has no input '{InputName}'; its inputs are {string.Join(", ", _session.InputNames)}.");
        }

        if (!_session.OutputMetadata.ContainsKey(OutputName))
        {
            throw new ExtractionException($"model {path} has no output '{OutputName}'; its outputs are {string.Join(", ", _session.OutputNames)}.");
        }

        InputShape = _session.InputMetadata[InputName].Dimensions;
        OutputShape = _session.OutputMetadata[OutputName].Dimensions;
    }

    /// <summary>"CUDA" or "CPU".</summary>
    public string Provider { get; }

    /// <summary>True when runs go through an I/O binding.</summary>
    public bool UsesIoBinding { get; }

    /// <summary>The input fed.</summary>
    public string InputName { get; }

    /// <summary>The output read.</summary>
    public string OutputName { get; }

    /// <summary>Declared input dimensions (-1 for symbolic).</summary>
    public int[] InputShape { get; }

    /// <summary>Declared output dimensions (-1 for symbolic).</summary>
    public int[] OutputShape { get; }

    /// <summary>All input names of the model.</summary>
    public IReadOnlyList<string> InputNames => _session.InputNames;

    /// <summary>True when the model's batch dimension is fixed at 1 (such as the CNTK ResNet18): inputs run one by one.</summary>
    public bool SingleBatch => InputShape.Length > 0 && InputShape[0] == 1;

    /// <summary>Runs the model on one float tensor; returns the output data and shape.</summary>
    public (float[] Data, long[] Shape) Run(float[] data, long[] shape)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(data, shape);
        return Run([InputName], [input]);
    }

    /// <summary>Runs the model on named int64 tensors of one shape (token ids, masks).</summary>
    public (float[] Data, long[] Shape) RunInt64(IReadOnlyList<(string Name, long[] Data)> inputs, long[] shape)
    {
        var values = new List<OrtValue>(inputs.Count);
        try
        {
            foreach (var (_, data) in inputs)
            {
                values.Add(OrtValue.CreateTensorValueFromMemory(data, shape));
            }

            return Run(inputs.Select(i => i.Name).ToArray(), values);
        }
        finally
        {
            foreach (var v in values)
            {
                v.Dispose();
            }
        }
    }

    private (float[] Data, long[] Shape) Run(IReadOnlyCollection<string> names, IReadOnlyCollection<OrtValue> values)
    {
        using var options = new RunOptions();
        if (UsesIoBinding)
        {
            using var binding = _session.CreateIoBinding();
            foreach (var (name, value) in names.Zip(values))
            {
                binding.BindInput(name, value);
            }

            binding.BindOutputToDevice(OutputName, OrtMemoryInfo.DefaultInstance);
            binding.SynchronizeBoundInputs();
            using var bound = _session.RunWithBoundResults(options, binding);
            binding.SynchronizeBoundOutputs();
            return (bound[0].GetTensorDataAsSpan<float>().ToArray(), bound[0].GetTensorTypeAndShape().Shape);
        }

        using var outputs = _session.Run(options, names, values, [OutputName]);
        var output = outputs[0];
        return (output.GetTensorDataAsSpan<float>().ToArray(), output.GetTensorTypeAndShape().Shape);
    }

    /// <inheritdoc/>
    public void Dispose() => _session.Dispose();
}
