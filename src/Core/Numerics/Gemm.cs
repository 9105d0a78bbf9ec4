namespace Scar.Core.Numerics;

/// <summary>
/// Single-precision matrix product for row-major data, the one kernel behind k-means distances and the probe's
/// forward and backward passes. Uses native OpenBLAS when it loads (single-threaded per call, because callers
/// parallelize over row blocks themselves) and a blocked, vectorized managed kernel otherwise.
/// </summary>
public static partial class Gemm
{
    // OpenBLAS as loaded, and as used: not when it runs fallback kernels for this processor (PassedOver says why).
    private static readonly OpenBlasNative? Loaded = OpenBlasNative.TryLoad();
    private static readonly string? PassedOver = Loaded?.FallbackReason();
    private static readonly OpenBlasNative? Native = PassedOver is null ? Loaded : null;

    /// <summary>
    /// The backend <see cref="Sgemm"/> uses: <c>"openblas"</c> when <c>libopenblas</c> loaded, runs kernels made for
    /// this processor (see <see cref="BackendNote"/>) and the environment variable <c>SCAR_BLAS</c> is not
    /// <c>managed</c>; otherwise <c>"managed"</c>.
    /// </summary>
    public static string Backend => Native is null ? "managed" : "openblas";

    /// <summary>
    /// Why the managed kernels run although OpenBLAS loaded (it chose fallback kernels for this processor), or null.
    /// Worth one log line where a process starts.
    /// </summary>
    public static string? BackendNote => PassedOver;

    /// <summary>The kernel set OpenBLAS chose (its <c>openblas_get_corename</c>), when it loaded; null otherwise.</summary>
    public static string? OpenBlasCore => Loaded?.CoreName;

    /// <summary>
    /// Row-major <c>C[m×n] = alpha·op(A)·op(B) + beta·C</c>, where <c>op(X)</c> is <c>Xᵀ</c> when the flag is
    /// set. <paramref name="lda"/>, <paramref name="ldb"/> and <paramref name="ldc"/> are the row strides of the
    /// matrices as stored. As in BLAS, <paramref name="beta"/> = 0 overwrites C without reading it.
    /// </summary>
    /// <param name="transA">Use Aᵀ: A is stored k×m instead of m×k.</param>
    /// <param name="transB">Use Bᵀ: B is stored n×k instead of k×n.</param>
    /// <param name="m">Rows of op(A) and of C.</param>
    /// <param name="n">Columns of op(B) and of C.</param>
    /// <param name="k">Columns of op(A), rows of op(B).</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="a">A, row-major.</param>
    /// <param name="lda">Row stride of A as stored.</param>
    /// <param name="b">B, row-major.</param>
    /// <param name="ldb">Row stride of B as stored.</param>
    /// <param name="beta">Scale of the existing C.</param>
    /// <param name="c">C, row-major; updated in place.</param>
    /// <param name="ldc">Row stride of C.</param>
    public static void Sgemm(
        bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc) =>
        Run(Native, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    /// <summary>The managed kernel, whatever <see cref="Backend"/> is: lets tests compare the two.</summary>
    internal static void ManagedSgemm(
        bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc) =>
        Run(null, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    // One path for both entry points: validation, the degenerate shapes, the skinny kernels, then the backend.
    private static void Run(
        OpenBlasNative? native, bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        Validate(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
        if (m == 0 || n == 0)
        {
            return;
        }

        if (k == 0 || alpha == 0f)
        {
            // BLAS implementations disagree on k = 0 (some reject lda = 0); the result is only beta·C.
            ScaleC(m, n, beta, c, ldc);
            return;
        }

        if (UseSkinny(transA, transB, m, n, k))
        {
            Skinny(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            return;
        }

        if (native is not null)
        {
            native.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        }
        else
        {
            ManagedCore(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        }
    }

    /// <summary>Native OpenBLAS when it loaded (even when passed over for its fallback kernels), else false: lets tests compare the two.</summary>
    internal static bool TryNativeSgemm(
        bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        if (Loaded is null)
        {
            return false;
        }

        Validate(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
        if (m == 0 || n == 0)
        {
            return true;
        }

        if (k == 0 || alpha == 0f)
        {
            ScaleC(m, n, beta, c, ldc);
            return true;
        }

        Loaded.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return true;
    }

    private static void Validate(
        bool transA, bool transB, int m, int n, int k, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        CheckOperand(nameof(a), a.Length, transA ? k : m, transA ? m : k, lda, nameof(lda));
        CheckOperand(nameof(b), b.Length, transB ? n : k, transB ? k : n, ldb, nameof(ldb));
        CheckOperand(nameof(c), c.Length, m, n, ldc, nameof(ldc));
    }

    private static void CheckOperand(string name, int length, int rows, int cols, int ld, string ldName)
    {
        if (ld < Math.Max(1, cols))
        {
            throw new ArgumentOutOfRangeException(ldName, ld, $"{ldName} = {ld} is less than the {cols} stored columns of {name}.");
        }

        if (rows > 0 && cols > 0)
        {
            long needed = ((long)rows - 1) * ld + cols;
            if (length < needed)
            {
                throw new ArgumentException($"{name} has {length} elements; a {rows}×{cols} matrix with row stride {ld} needs {needed}.", name);
            }
        }
    }

    private static void ScaleC(int m, int n, float beta, Span<float> c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            Span<float> row = c.Slice(i * ldc, n);
            if (beta == 0f)
            {
                row.Clear();
            }
            else if (beta != 1f)
            {
                for (int j = 0; j < row.Length; j++)
                {
                    row[j] *= beta;
                }
            }
        }
    }
}
