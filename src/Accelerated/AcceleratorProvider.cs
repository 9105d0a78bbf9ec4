namespace Scar.Accelerated;

/// <summary>Which ONNX Runtime execution provider the accelerated kernels ask for.</summary>
public enum AcceleratorProvider
{
    /// <summary>ONNX Runtime's CPU provider (the graphs run, no GPU needed: what the tests use).</summary>
    Cpu,

    /// <summary>The CUDA provider, or a clear <see cref="AcceleratorUnavailableException"/> when it cannot start.</summary>
    Cuda,

    /// <summary>CUDA when its libraries load, else the CPU provider.</summary>
    Auto,
}

/// <summary>The CUDA execution provider was asked for explicitly and cannot start on this machine.</summary>
public sealed class AcceleratorUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
