using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Scar.Core.Numerics;

/// <summary>
/// <c>cblas_sgemm</c> from a system OpenBLAS, bound by function pointer so that the library is optional: CI and
/// users without it fall back to the managed kernel.
/// </summary>
internal sealed unsafe class OpenBlasNative
{
    private const int RowMajor = 101;
    private const int NoTrans = 111;
    private const int Trans = 112;

    private static readonly string[] Candidates =
    [
        "libopenblas.so.0", "libopenblas.so", "libopenblasp-r0.so", "libopenblas.dylib", "libopenblas.dll", "openblas",
    ];

    private readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> _sgemm;

    private OpenBlasNative(nint sgemm, string name, string? coreName)
    {
        _sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)sgemm;
        Name = name;
        CoreName = coreName;
    }

    /// <summary>
    /// OpenBLAS kernel sets that use FMA with 256-bit vectors or wider (names as <c>openblas_get_corename</c> gives
    /// them, lower case). On an x86 CPU with AVX2 and FMA any other set is a fallback: OpenBLAS did not recognise
    /// the processor (Debian's 0.3.21 takes its Prescott kernels on Emerald Rapids, at a fifth of the speed).
    /// </summary>
    private static readonly HashSet<string> WideKernels = new(StringComparer.OrdinalIgnoreCase)
    {
        "haswell", "skylakex", "cooperlake", "sapphirerapids", "zen", "excavator",
    };

    /// <summary>The library file that loaded.</summary>
    public string Name { get; }

    /// <summary>The kernel set OpenBLAS chose (<c>openblas_get_corename</c>), when it says.</summary>
    public string? CoreName { get; }

    /// <summary>
    /// Whether OpenBLAS's kernel set <paramref name="coreName"/> is a fallback slower than Scar's own kernels on a
    /// CPU with the given features: an x86 CPU with AVX2 and FMA whose kernels are not among <see cref="WideKernels"/>.
    /// An unknown name (null) is taken as it is.
    /// </summary>
    internal static bool IsFallbackKernel(string? coreName, bool x86, bool avx2AndFma) =>
        x86 && avx2AndFma && !string.IsNullOrWhiteSpace(coreName) && !WideKernels.Contains(coreName.Trim());

    /// <summary>
    /// Why Scar's managed kernels should run instead of this OpenBLAS: it runs fallback kernels on a CPU they serve
    /// better (<see cref="IsFallbackKernel"/>) and <c>SCAR_BLAS</c> is not <c>openblas</c>. Null when it should be used.
    /// </summary>
    public string? FallbackReason()
    {
        if (string.Equals(Environment.GetEnvironmentVariable("SCAR_BLAS"), "openblas", StringComparison.OrdinalIgnoreCase)
            || !IsFallbackKernel(CoreName, X86Base.IsSupported, Avx2.IsSupported && Fma.IsSupported))
        {
            return null;
        }

        string wanted = Avx512F.IsSupported ? "SkylakeX" : "Haswell";
        return $"OpenBLAS ({Name}) chose its {CoreName} kernels, a fallback for a processor it does not recognise; Scar's managed " +
            $"kernels run instead. Set OPENBLAS_CORETYPE={wanted} to give OpenBLAS its proper kernels, or SCAR_BLAS=openblas to use it as it is.";
    }

    /// <summary>Loads OpenBLAS unless <c>SCAR_BLAS=managed</c>; null when it is disabled or absent.</summary>
    public static OpenBlasNative? TryLoad()
    {
        if (string.Equals(Environment.GetEnvironmentVariable("SCAR_BLAS"), "managed", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        foreach (string name in Candidates)
        {
            if (!NativeLibrary.TryLoad(name, out nint handle))
            {
                continue;
            }

            if (!NativeLibrary.TryGetExport(handle, "cblas_sgemm", out nint sgemm))
            {
                NativeLibrary.Free(handle);
                continue;
            }

            string? core = NativeLibrary.TryGetExport(handle, "openblas_get_corename", out nint coreName)
                ? Marshal.PtrToStringAnsi((nint)((delegate* unmanaged<byte*>)coreName)())
                : null;

            // Callers run one product per row block on each of their own threads; OpenBLAS's own pool on top of
            // that would oversubscribe the cores.
            if (NativeLibrary.TryGetExport(handle, "openblas_set_num_threads", out nint setThreads))
            {
                ((delegate* unmanaged<int, void>)setThreads)(1);
            }

            return new OpenBlasNative(sgemm, name, core);
        }

        return null;
    }

    /// <summary>Calls <c>cblas_sgemm</c>; arguments are already validated and non-degenerate.</summary>
    public void Sgemm(
        bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            _sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        }
    }
}
