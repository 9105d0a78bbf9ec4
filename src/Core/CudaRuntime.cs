namespace Scar.Core;

/// <summary>Whether this machine can run ONNX Runtime's CUDA execution provider (for the encoders and the accelerated kernels).</summary>
public static class CudaRuntime
{
    /// <summary>True when the CUDA 12 or 13 runtime and cuBLASLt can be loaded (what ONNX Runtime's CUDA provider needs).</summary>
    public static bool LibrariesPresent()
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
}
