using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace Scar.Extraction.Encoders;

/// <summary>Creates ONNX Runtime sessions on CUDA when asked and available, else on the CPU, and says which.</summary>
public static class OnnxSessions
{
    /// <summary>Opens a session; <paramref name="provider"/> is set to "CUDA" or "CPU".</summary>
    public static InferenceSession Open(string modelPath, ExecutionProviderKind requested, ILogger? logger, out string provider)
    {
        if (!File.Exists(modelPath))
        {
            throw new ExtractionException($"model file {modelPath} does not exist.");
        }

        var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        provider = "CPU";
        string? why = null;
        if (requested == ExecutionProviderKind.Auto && !Scar.Core.CudaRuntime.LibrariesPresent())
        {
            // Asking ONNX Runtime would print its own multi-line load error; the CUDA runtime is simply not here.
            why = "no CUDA runtime libraries (libcudart, libcublasLt) on this machine";
        }
        else if (requested != ExecutionProviderKind.Cpu)
        {
            try
            {
                options.AppendExecutionProvider_CUDA(0);
                provider = "CUDA";
            }
            catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
            {
                if (requested == ExecutionProviderKind.Cuda)
                {
                    options.Dispose();
                    throw new ExtractionException($"the CUDA execution provider could not start: {FirstLine(e.Message)}");
                }

                why = FirstLine(e.Message);
            }
        }

        if (provider == "CPU")
        {
            options.IntraOpNumThreads = Math.Max(1, Environment.ProcessorCount);
        }

        try
        {
            var session = new InferenceSession(modelPath, options);
            logger?.LogInformation("ONNX Runtime {Provider} execution provider runs {Model}{Why}", provider, Path.GetFileName(modelPath),
                why is null ? "" : $" (CUDA unavailable: {why})");
            return session;
        }
        catch (OnnxRuntimeException e)
        {
            throw new ExtractionException($"ONNX Runtime cannot load {modelPath}: {FirstLine(e.Message)}", e);
        }
        finally
        {
            options.Dispose();
        }
    }

    private static string FirstLine(string s)
    {
        int nl = s.IndexOf('\n', StringComparison.Ordinal);
        string line = nl < 0 ? s : s[..nl];
        return line.Length > 160 ? line[..160] + "…" : line.Trim();
    }
}
