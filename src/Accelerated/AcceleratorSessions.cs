using Microsoft.ML.OnnxRuntime;

namespace Scar.Accelerated;

/// <summary>
/// Opens ONNX Runtime sessions over in-memory models on CUDA when asked and available, else on the CPU, as
/// Scar.Extraction's OnnxSessions does for the encoders: <see cref="AcceleratorProvider.Cuda"/> never falls back.
/// </summary>
public static class AcceleratorSessions
{
    /// <summary>Parses a <c>--device</c>/<c>SCAR_ACCELERATOR</c> value: cuda, cpu (ONNX Runtime's CPU provider) or auto.</summary>
    public static AcceleratorProvider Parse(string value) => value.Trim().ToLowerInvariant() switch
    {
        "cuda" or "gpu" => AcceleratorProvider.Cuda,
        "cpu" or "onnx-cpu" => AcceleratorProvider.Cpu,
        "auto" => AcceleratorProvider.Auto,
        _ => throw new ArgumentException($"unknown accelerator '{value}'; use cuda, cpu or auto.", nameof(value)),
    };

    /// <summary>
    /// Opens <paramref name="model"/>; <paramref name="provider"/> is set to "CUDA" or "CPU". On CUDA, TF32 is
    /// turned off (where the provider knows the option) so that products are full float32 like the CPU kernels.
    /// </summary>
    /// <exception cref="AcceleratorUnavailableException">CUDA was requested and cannot start.</exception>
    internal static InferenceSession Open(byte[] model, AcceleratorProvider requested, int threads, out string provider)
    {
        var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        provider = "CPU";
        try
        {
            if (requested == AcceleratorProvider.Cuda && !Scar.Core.CudaRuntime.LibrariesPresent())
            {
                throw new AcceleratorUnavailableException(
                    "CUDA was requested but this machine has no CUDA runtime: libcudart.so.12/13 and libcublasLt.so.12/13 cannot be loaded " +
                    "(ONNX Runtime 1.32's CUDA provider also needs cuDNN 9). Install them, or run on the CPU (--device cpu or onnx-cpu).");
            }

            if (requested == AcceleratorProvider.Cuda || (requested == AcceleratorProvider.Auto && Scar.Core.CudaRuntime.LibrariesPresent()))
            {
                try
                {
                    AppendCuda(options);
                    provider = "CUDA";
                }
                catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
                {
                    if (requested == AcceleratorProvider.Cuda)
                    {
                        throw new AcceleratorUnavailableException($"CUDA was requested but ONNX Runtime's CUDA execution provider could not start: {FirstLine(e.Message)}", e);
                    }
                }
            }

            if (provider == "CPU")
            {
                options.IntraOpNumThreads = threads > 0 ? threads : Environment.ProcessorCount;
            }

            try
            {
                return new InferenceSession(model, options);
            }
            catch (OnnxRuntimeException e) when (provider == "CUDA")
            {
                throw new AcceleratorUnavailableException($"ONNX Runtime's CUDA execution provider could not open the graph: {FirstLine(e.Message)}", e);
            }
        }
        finally
        {
            options.Dispose();
        }
    }

    private static void AppendCuda(SessionOptions options)
    {
        using var cuda = new OrtCUDAProviderOptions();
        try
        {
            cuda.UpdateOptions(new Dictionary<string, string> { ["device_id"] = "0", ["use_tf32"] = "0" });
        }
        catch (OnnxRuntimeException)
        {
            cuda.UpdateOptions(new Dictionary<string, string> { ["device_id"] = "0" }); // a provider without the TF32 switch
        }

        options.AppendExecutionProvider_CUDA(cuda);
    }

    private static string FirstLine(string s)
    {
        int nl = s.IndexOf('\n', StringComparison.Ordinal);
        string line = nl < 0 ? s : s[..nl];
        return line.Length > 200 ? line[..200] + "…" : line.Trim();
    }
}
