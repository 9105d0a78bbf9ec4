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
        if (requested == ExecutionProviderKind.Auto && !CudaLibrariesPresent())
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

    /// <summary>True when the CUDA 12 or 13 runtime and cuBLASLt can be loaded (what ONNX Runtime's CUDA provider needs).</summary>
    public static bool CudaLibrariesPresent()
    {
        foreach (var major in new[] { "13", "12" })
        {
            if (TryLoad($"libcudart.so.{major}") && TryLoad($"libcublasLt.so.{major}"))
            {
                return true;
            }
        }

        return false;

        static bool TryLoad(string name)
        {
            if (System.Runtime.InteropServices.NativeLibrary.TryLoad(name, out var handle))
            {
                System.Runtime.InteropServices.NativeLibrary.Free(handle);
                return true;
            }

            return false;
        }
    }

    private static string FirstLine(string s)
    {
        int nl = s.IndexOf('\n', StringComparison.Ordinal);
        string line = nl < 0 ? s : s[..nl];
        return line.Length > 160 ? line[..160] + "…" : line.Trim();
    }
}
