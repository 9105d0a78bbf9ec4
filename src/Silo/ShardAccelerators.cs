using Scar.Accelerated;
using Scar.Core;
using Scar.Core.Distributed;

namespace Scar.Silo;

/// <summary>
/// The <c>SCAR_ACCELERATOR</c> setting of a silo (and of the <c>scar</c> command's embedded silo): where its embedding
/// shards run the k-means assignment and the probe gradients.
/// <list type="bullet">
/// <item><c>none</c> (default): Scar's managed CPU kernels.</item>
/// <item><c>cuda</c>: ONNX Runtime on the GPU; a silo that cannot start CUDA stops with the reason (exit code 2).</item>
/// <item><c>auto</c>: CUDA when it starts on this machine, else the managed kernels.</item>
/// <item><c>cpu</c>: ONNX Runtime's CPU provider (to check the graphs without a GPU; slower than <c>none</c>).</item>
/// </list>
/// </summary>
public static class ShardAccelerators
{
    /// <summary>The environment variable.</summary>
    public const string Variable = "SCAR_ACCELERATOR";

    /// <summary>Normalizes a setting, or throws naming <paramref name="source"/> and the choices.</summary>
    public static string Parse(string? value, string source = Variable)
    {
        string setting = string.IsNullOrWhiteSpace(value) ? "none" : value.Trim().ToLowerInvariant();
        return setting switch
        {
            "none" or "managed" => "none",
            "cuda" or "gpu" => "cuda",
            "auto" => "auto",
            "cpu" or "onnx-cpu" => "cpu",
            _ => throw new ScarInputException(source, $"'{value}' is not an accelerator; use none (the managed CPU kernels), cuda, auto (CUDA when it starts) or cpu (ONNX Runtime's CPU provider)."),
        };
    }

    /// <summary>
    /// Opens the accelerator a setting names (null for the managed kernels). <c>cuda</c> on a machine where CUDA cannot
    /// start is a <see cref="ScarInputException"/> naming <paramref name="source"/>, the reason and the fix.
    /// </summary>
    public static IShardAccelerator? Open(string? value, string source = Variable)
    {
        switch (Parse(value, source))
        {
            case "cuda":
                try
                {
                    return new OnnxShardAccelerator(AcceleratorProvider.Cuda);
                }
                catch (AcceleratorUnavailableException e)
                {
                    throw new ScarInputException(source, $"{e.Message} Set {source}=auto or none to run on the CPU instead.");
                }

            case "auto":
                if (!CudaRuntime.LibrariesPresent())
                {
                    return null;
                }

                try
                {
                    return new OnnxShardAccelerator(AcceleratorProvider.Cuda);
                }
                catch (AcceleratorUnavailableException)
                {
                    return null; // the libraries are there but CUDA does not start (no device visible): the CPU it is
                }

            case "cpu":
                return new OnnxShardAccelerator(AcceleratorProvider.Cpu);
            default:
                return null;
        }
    }

    /// <summary>One line for a log: where the shards' heavy steps run.</summary>
    public static string Describe(IShardAccelerator? accelerator) =>
        accelerator is null ? $"managed CPU kernels ({Core.Numerics.Gemm.Backend})" : $"ONNX Runtime on {accelerator.Provider}";
}
