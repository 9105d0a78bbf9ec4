using System.Runtime.InteropServices;

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

    private OpenBlasNative(nint sgemm) =>
        _sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)sgemm;

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

            // Callers run one product per row block on each of their own threads; OpenBLAS's own pool on top of
            // that would oversubscribe the cores.
            if (NativeLibrary.TryGetExport(handle, "openblas_set_num_threads", out nint setThreads))
            {
                ((delegate* unmanaged<int, void>)setThreads)(1);
            }

            return new OpenBlasNative(sgemm);
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
