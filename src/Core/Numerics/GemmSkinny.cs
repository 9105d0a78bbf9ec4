using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Scar.Core.Numerics;

/// <summary>
/// Products with a narrow C (at most <see cref="SkinnyMaxColumns"/> columns: the probe's k classes), where a
/// general GEMM's register tile leaves most lanes idle. The long dimension goes across the AVX-512 lanes:
/// <list type="bullet">
/// <item>forward, <c>C[m×n] = A[m×K]·op(B)</c>: 4 rows × 5 columns of dot products along K, op(B) packed transposed;</item>
/// <item>backward, <c>C[m×n] = Aᵀ·B</c> with A stored K×m: 64 rows of C × 5 columns, summed over K (the block's rows).</item>
/// </list>
/// Summation order depends only on the shapes, never on threads.
/// </summary>
public static partial class Gemm
{
    /// <summary>Widest C the skinny kernels take.</summary>
    internal const int SkinnyMaxColumns = 16;

    private const int SkinnyColumnTile = 5;

    // Columns of the backward kernel's tile above 5 columns (SkinnyBackwardWide).
    private const int SkinnyWideColumns = 10;

    // Columns the backward product's packed B has: a multiple of its kernel's tile width.
    private static int BackwardPad(int n) => n <= SkinnyColumnTile
        ? (n + SkinnyColumnTile - 1) / SkinnyColumnTile * SkinnyColumnTile
        : (n + SkinnyWideColumns - 1) / SkinnyWideColumns * SkinnyWideColumns;

    private static unsafe void Backward(int m, int n, int k, float alpha, float* a, int lda, float* b, int nPad, float beta, float* c, int ldc, int* rowIndex)
    {
        if (n <= SkinnyColumnTile)
        {
            SkinnyBackward(m, n, k, alpha, a, lda, b, nPad, beta, c, ldc, rowIndex);
        }
        else
        {
            SkinnyBackwardWide(m, n, k, alpha, a, lda, b, nPad, beta, c, ldc, rowIndex);
        }
    }

    // How far ahead the forward product prefetches rows (two 4-row tiles: 16 KiB of 512-d rows).
    private const int SkinnyPrefetchRows = 8;

    [ThreadStatic]
    private static float[]? t_packSkinny;

    /// <summary>Whether the skinny kernels handle this product (AVX-512 only; otherwise the general path runs).</summary>
    private static bool UseSkinny(bool transA, bool transB, int m, int n, int k) =>
        Kind == KernelKind.Avx512 && !(transA && transB) && n <= SkinnyMaxColumns && k >= 32 && m >= 4 && !SkinnyDisabled;

    private static readonly bool SkinnyDisabled =
        string.Equals(Environment.GetEnvironmentVariable("SCAR_SKINNY"), "0", StringComparison.Ordinal);

    private static unsafe void Skinny(
        bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        int nPad = transA ? BackwardPad(n) : (n + SkinnyColumnTile - 1) / SkinnyColumnTile * SkinnyColumnTile;
        int packLength = nPad * k;
        if (t_packSkinny is null || t_packSkinny.Length < packLength)
        {
            t_packSkinny = GC.AllocateUninitializedArray<float>(Math.Max(packLength, 16 * 1024), pinned: true);
        }

        float[] pack = t_packSkinny;
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        fixed (float* pp = pack)
        {
            if (transA)
            {
                // B (K×n, row stride ldb) → K×nPad, zero-padded columns.
                for (int p = 0; p < k; p++)
                {
                    float* src = pb + ((nint)p * ldb);
                    float* dst = pp + ((nint)p * nPad);
                    for (int j = 0; j < n; j++)
                    {
                        dst[j] = src[j];
                    }

                    for (int j = n; j < nPad; j++)
                    {
                        dst[j] = 0f;
                    }
                }

                Backward(m, n, k, alpha, pa, lda, pp, nPad, beta, pc, ldc, null);
            }
            else
            {
                // B (K×n) → Bᵀ (nPad×K), zero rows for the padding columns.
                for (int j = 0; j < nPad; j++)
                {
                    float* dst = pp + ((nint)j * k);
                    if (j < n && transB)
                    {
                        // B stored n×K: its rows are already the packed layout (k-means++ candidates).
                        new ReadOnlySpan<float>(pb + ((nint)j * ldb), k).CopyTo(new Span<float>(dst, k));
                    }
                    else if (j < n)
                    {
                        for (int p = 0; p < k; p++)
                        {
                            dst[p] = pb[((nint)p * ldb) + j];
                        }
                    }
                    else
                    {
                        new Span<float>(dst, k).Clear();
                    }
                }

                SkinnyForward(m, n, k, alpha, pa, lda, pp, beta, pc, ldc);
            }
        }
    }

    /// <summary>C = alpha·A·B + beta·C; <paramref name="bt"/> is Bᵀ packed nPad×K.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void SkinnyForward(int m, int n, int k, float alpha, float* a, int lda, float* bt, float beta, float* c, int ldc, int* rowIndex = null, bool classMajor = false)
    {
        // Rows outer, column tiles inner: a 4-row tile is read from memory once and stays in L1 for every column
        // tile (each dot product is computed exactly as before, so the bits do not change).
        //
        // The rows SkinnyPrefetchRows ahead are prefetched into L2 line by line while the first column tile runs.
        // Without it the pass is latency-bound, not bandwidth-bound: every 4-row tile starts on new 4 KiB pages
        // (a 512-d row is 2 KiB; subset rows are scattered), where the hardware prefetcher stops.
        //
        // C is row-major with row stride ldc, or, with classMajor, column-major with column stride ldc (C[i, j] at
        // c[j·ldc + i]: the probe's softmax then runs 16 rows per vector).
        nint rowStep = classMajor ? 1 : ldc, columnStep = classMajor ? ldc : 1;
        int kv = k & ~15;
        float* tile = stackalloc float[4 * SkinnyColumnTile];
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            float* x0 = Row(a, lda, rowIndex, i), x1 = Row(a, lda, rowIndex, i + 1), x2 = Row(a, lda, rowIndex, i + 2), x3 = Row(a, lda, rowIndex, i + 3);
            int ahead = i + SkinnyPrefetchRows;
            bool prefetch = ahead < m && Sse.IsSupported;
            float* f0 = prefetch ? Row(a, lda, rowIndex, ahead) : x0;
            float* f1 = prefetch ? Row(a, lda, rowIndex, Math.Min(ahead + 1, m - 1)) : x1;
            float* f2 = prefetch ? Row(a, lda, rowIndex, Math.Min(ahead + 2, m - 1)) : x2;
            float* f3 = prefetch ? Row(a, lda, rowIndex, Math.Min(ahead + 3, m - 1)) : x3;
            for (int j0 = 0; j0 < n; j0 += SkinnyColumnTile)
            {
                prefetch &= j0 == 0;
                if (prefetch)
                {
                    // A row's last line (rows need not start on a 64-byte boundary); the loop below takes the others.
                    Sse.Prefetch1(f0 + k - 1);
                    Sse.Prefetch1(f1 + k - 1);
                    Sse.Prefetch1(f2 + k - 1);
                    Sse.Prefetch1(f3 + k - 1);
                }

                float* w0 = bt + ((nint)j0 * k), w1 = w0 + k, w2 = w1 + k, w3 = w2 + k, w4 = w3 + k;
                int cols = Math.Min(SkinnyColumnTile, n - j0);
                Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default, c04 = default;
                Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default, c14 = default;
                Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default, c24 = default;
                Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default, c34 = default;
                for (int p = 0; p < kv; p += 16)
                {
                    if (prefetch)
                    {
                        Sse.Prefetch1(f0 + p);
                        Sse.Prefetch1(f1 + p);
                        Sse.Prefetch1(f2 + p);
                        Sse.Prefetch1(f3 + p);
                    }

                    Vector512<float> v0 = Vector512.Load(x0 + p), v1 = Vector512.Load(x1 + p), v2 = Vector512.Load(x2 + p), v3 = Vector512.Load(x3 + p);
                    Vector512<float> w = Vector512.Load(w0 + p);
                    c00 = Vector512.FusedMultiplyAdd(v0, w, c00);
                    c10 = Vector512.FusedMultiplyAdd(v1, w, c10);
                    c20 = Vector512.FusedMultiplyAdd(v2, w, c20);
                    c30 = Vector512.FusedMultiplyAdd(v3, w, c30);
                    w = Vector512.Load(w1 + p);
                    c01 = Vector512.FusedMultiplyAdd(v0, w, c01);
                    c11 = Vector512.FusedMultiplyAdd(v1, w, c11);
                    c21 = Vector512.FusedMultiplyAdd(v2, w, c21);
                    c31 = Vector512.FusedMultiplyAdd(v3, w, c31);
                    w = Vector512.Load(w2 + p);
                    c02 = Vector512.FusedMultiplyAdd(v0, w, c02);
                    c12 = Vector512.FusedMultiplyAdd(v1, w, c12);
                    c22 = Vector512.FusedMultiplyAdd(v2, w, c22);
                    c32 = Vector512.FusedMultiplyAdd(v3, w, c32);
                    w = Vector512.Load(w3 + p);
                    c03 = Vector512.FusedMultiplyAdd(v0, w, c03);
                    c13 = Vector512.FusedMultiplyAdd(v1, w, c13);
                    c23 = Vector512.FusedMultiplyAdd(v2, w, c23);
                    c33 = Vector512.FusedMultiplyAdd(v3, w, c33);
                    w = Vector512.Load(w4 + p);
                    c04 = Vector512.FusedMultiplyAdd(v0, w, c04);
                    c14 = Vector512.FusedMultiplyAdd(v1, w, c14);
                    c24 = Vector512.FusedMultiplyAdd(v2, w, c24);
                    c34 = Vector512.FusedMultiplyAdd(v3, w, c34);
                }

                tile[0] = Vector512.Sum(c00);
                tile[1] = Vector512.Sum(c01);
                tile[2] = Vector512.Sum(c02);
                tile[3] = Vector512.Sum(c03);
                tile[4] = Vector512.Sum(c04);
                tile[5] = Vector512.Sum(c10);
                tile[6] = Vector512.Sum(c11);
                tile[7] = Vector512.Sum(c12);
                tile[8] = Vector512.Sum(c13);
                tile[9] = Vector512.Sum(c14);
                tile[10] = Vector512.Sum(c20);
                tile[11] = Vector512.Sum(c21);
                tile[12] = Vector512.Sum(c22);
                tile[13] = Vector512.Sum(c23);
                tile[14] = Vector512.Sum(c24);
                tile[15] = Vector512.Sum(c30);
                tile[16] = Vector512.Sum(c31);
                tile[17] = Vector512.Sum(c32);
                tile[18] = Vector512.Sum(c33);
                tile[19] = Vector512.Sum(c34);
                for (int r = 0; r < 4; r++)
                {
                    float* x = Row(a, lda, rowIndex, i + r);
                    for (int j = 0; j < cols; j++)
                    {
                        float s = tile[(r * SkinnyColumnTile) + j];
                        float* w = bt + ((nint)(j0 + j) * k);
                        for (int p = kv; p < k; p++)
                        {
                            s += x[p] * w[p];
                        }

                        float* e = c + ((i + r) * rowStep) + ((j0 + j) * columnStep);
                        *e = beta == 0f ? alpha * s : (alpha * s) + (beta * *e);
                    }
                }
            }
        }

        for (; i < m; i++)
        {
            float* x = Row(a, lda, rowIndex, i);
            for (int j = 0; j < n; j++)
            {
                float* w = bt + ((nint)j * k);
                Vector512<float> acc = default;
                for (int p = 0; p < kv; p += 16)
                {
                    acc = Vector512.FusedMultiplyAdd(Vector512.Load(x + p), Vector512.Load(w + p), acc);
                }

                float s = Vector512.Sum(acc);
                for (int p = kv; p < k; p++)
                {
                    s += x[p] * w[p];
                }

                float* e = c + (i * rowStep) + (j * columnStep);
                *e = beta == 0f ? alpha * s : (alpha * s) + (beta * *e);
            }
        }
    }

    /// <summary>C[m×n] = alpha·Aᵀ·B + beta·C with A stored K×m (row stride lda) and B packed K×nPad.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void SkinnyBackward(int m, int n, int k, float alpha, float* a, int lda, float* b, int nPad, float beta, float* c, int ldc, int* rowIndex = null)
    {
        float* tile = stackalloc float[SkinnyColumnTile * 64];
        for (int j0 = 0; j0 < n; j0 += SkinnyColumnTile)
        {
            int cols = Math.Min(SkinnyColumnTile, n - j0);
            int i = 0;
            for (; i + 64 <= m; i += 64)
            {
                Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
                Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
                Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
                Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
                Vector512<float> c40 = default, c41 = default, c42 = default, c43 = default;
                float* g = b + j0;
                for (int p = 0; p < k; p++)
                {
                    float* x = Row(a, lda, rowIndex, p) + i;
                    Vector512<float> v0 = Vector512.Load(x), v1 = Vector512.Load(x + 16), v2 = Vector512.Load(x + 32), v3 = Vector512.Load(x + 48);
                    Vector512<float> s = Vector512.Create(g[0]);
                    c00 = Vector512.FusedMultiplyAdd(v0, s, c00);
                    c01 = Vector512.FusedMultiplyAdd(v1, s, c01);
                    c02 = Vector512.FusedMultiplyAdd(v2, s, c02);
                    c03 = Vector512.FusedMultiplyAdd(v3, s, c03);
                    s = Vector512.Create(g[1]);
                    c10 = Vector512.FusedMultiplyAdd(v0, s, c10);
                    c11 = Vector512.FusedMultiplyAdd(v1, s, c11);
                    c12 = Vector512.FusedMultiplyAdd(v2, s, c12);
                    c13 = Vector512.FusedMultiplyAdd(v3, s, c13);
                    s = Vector512.Create(g[2]);
                    c20 = Vector512.FusedMultiplyAdd(v0, s, c20);
                    c21 = Vector512.FusedMultiplyAdd(v1, s, c21);
                    c22 = Vector512.FusedMultiplyAdd(v2, s, c22);
                    c23 = Vector512.FusedMultiplyAdd(v3, s, c23);
                    s = Vector512.Create(g[3]);
                    c30 = Vector512.FusedMultiplyAdd(v0, s, c30);
                    c31 = Vector512.FusedMultiplyAdd(v1, s, c31);
                    c32 = Vector512.FusedMultiplyAdd(v2, s, c32);
                    c33 = Vector512.FusedMultiplyAdd(v3, s, c33);
                    s = Vector512.Create(g[4]);
                    c40 = Vector512.FusedMultiplyAdd(v0, s, c40);
                    c41 = Vector512.FusedMultiplyAdd(v1, s, c41);
                    c42 = Vector512.FusedMultiplyAdd(v2, s, c42);
                    c43 = Vector512.FusedMultiplyAdd(v3, s, c43);
                    g += nPad;
                }

                c00.Store(tile);
                c01.Store(tile + 16);
                c02.Store(tile + 32);
                c03.Store(tile + 48);
                c10.Store(tile + 64);
                c11.Store(tile + 80);
                c12.Store(tile + 96);
                c13.Store(tile + 112);
                c20.Store(tile + 128);
                c21.Store(tile + 144);
                c22.Store(tile + 160);
                c23.Store(tile + 176);
                c30.Store(tile + 192);
                c31.Store(tile + 208);
                c32.Store(tile + 224);
                c33.Store(tile + 240);
                c40.Store(tile + 256);
                c41.Store(tile + 272);
                c42.Store(tile + 288);
                c43.Store(tile + 304);
                StoreColumns(tile, 64, 64, cols, alpha, beta, c + ((nint)i * ldc) + j0, ldc);
            }

            // Tail rows of C: 16-lane vectors (the same FMA chains), then scalar work past the last full vector.
            BackwardTail(m, i, SkinnyColumnTile, cols, j0, k, alpha, a, lda, b, nPad, beta, c, ldc, rowIndex, tile);
        }
    }

    /// <summary>
    /// <see cref="SkinnyBackward"/> for 6 to 16 columns: tiles of 32 rows of C × 10 columns, so that each line of A is
    /// read once per tile for all ten columns (the 5-column kernel reads it twice for 10). Each element of C is one FMA
    /// chain over K in order from zero, as in the 5-column kernel; only the last m % 16 rows (scalar) multiply and add apart.
    /// <paramref name="nPad"/> is a multiple of 10.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void SkinnyBackwardWide(int m, int n, int k, float alpha, float* a, int lda, float* b, int nPad, float beta, float* c, int ldc, int* rowIndex)
    {
        float* tile = stackalloc float[SkinnyWideColumns * 32];
        for (int j0 = 0; j0 < n; j0 += SkinnyWideColumns)
        {
            int cols = Math.Min(SkinnyWideColumns, n - j0);
            int i = 0;
            for (; i + 32 <= m; i += 32)
            {
                Vector512<float> c00 = default, c01 = default;
                Vector512<float> c10 = default, c11 = default;
                Vector512<float> c20 = default, c21 = default;
                Vector512<float> c30 = default, c31 = default;
                Vector512<float> c40 = default, c41 = default;
                Vector512<float> c50 = default, c51 = default;
                Vector512<float> c60 = default, c61 = default;
                Vector512<float> c70 = default, c71 = default;
                Vector512<float> c80 = default, c81 = default;
                Vector512<float> c90 = default, c91 = default;
                float* g = b + j0;
                for (int p = 0; p < k; p++)
                {
                    float* x = Row(a, lda, rowIndex, p) + i;
                    Vector512<float> v0 = Vector512.Load(x), v1 = Vector512.Load(x + 16);
                    Vector512<float> s;
                    s = Vector512.Create(g[0]);
                    c00 = Vector512.FusedMultiplyAdd(v0, s, c00);
                    c01 = Vector512.FusedMultiplyAdd(v1, s, c01);
                    s = Vector512.Create(g[1]);
                    c10 = Vector512.FusedMultiplyAdd(v0, s, c10);
                    c11 = Vector512.FusedMultiplyAdd(v1, s, c11);
                    s = Vector512.Create(g[2]);
                    c20 = Vector512.FusedMultiplyAdd(v0, s, c20);
                    c21 = Vector512.FusedMultiplyAdd(v1, s, c21);
                    s = Vector512.Create(g[3]);
                    c30 = Vector512.FusedMultiplyAdd(v0, s, c30);
                    c31 = Vector512.FusedMultiplyAdd(v1, s, c31);
                    s = Vector512.Create(g[4]);
                    c40 = Vector512.FusedMultiplyAdd(v0, s, c40);
                    c41 = Vector512.FusedMultiplyAdd(v1, s, c41);
                    s = Vector512.Create(g[5]);
                    c50 = Vector512.FusedMultiplyAdd(v0, s, c50);
                    c51 = Vector512.FusedMultiplyAdd(v1, s, c51);
                    s = Vector512.Create(g[6]);
                    c60 = Vector512.FusedMultiplyAdd(v0, s, c60);
                    c61 = Vector512.FusedMultiplyAdd(v1, s, c61);
                    s = Vector512.Create(g[7]);
                    c70 = Vector512.FusedMultiplyAdd(v0, s, c70);
                    c71 = Vector512.FusedMultiplyAdd(v1, s, c71);
                    s = Vector512.Create(g[8]);
                    c80 = Vector512.FusedMultiplyAdd(v0, s, c80);
                    c81 = Vector512.FusedMultiplyAdd(v1, s, c81);
                    s = Vector512.Create(g[9]);
                    c90 = Vector512.FusedMultiplyAdd(v0, s, c90);
                    c91 = Vector512.FusedMultiplyAdd(v1, s, c91);
                    g += nPad;
                }

                c00.Store(tile + 0);
                c01.Store(tile + 16);
                c10.Store(tile + 32);
                c11.Store(tile + 48);
                c20.Store(tile + 64);
                c21.Store(tile + 80);
                c30.Store(tile + 96);
                c31.Store(tile + 112);
                c40.Store(tile + 128);
                c41.Store(tile + 144);
                c50.Store(tile + 160);
                c51.Store(tile + 176);
                c60.Store(tile + 192);
                c61.Store(tile + 208);
                c70.Store(tile + 224);
                c71.Store(tile + 240);
                c80.Store(tile + 256);
                c81.Store(tile + 272);
                c90.Store(tile + 288);
                c91.Store(tile + 304);
                StoreColumns(tile, 32, 32, cols, alpha, beta, c + ((nint)i * ldc) + j0, ldc);
            }

            BackwardTail(m, i, SkinnyWideColumns, cols, j0, k, alpha, a, lda, b, nPad, beta, c, ldc, rowIndex, tile);
        }
    }

    /// <summary>
    /// The rows of C from <paramref name="i"/> on that a backward kernel's tile did not cover: 16-row vectors with the
    /// same FMA chains over K for <paramref name="width"/> packed columns, then the last m % 16 rows scalar (multiply,
    /// then add). <paramref name="tile"/> holds at least width × 16 floats.
    /// </summary>
    private static unsafe void BackwardTail(int m, int i, int width, int cols, int j0, int k, float alpha, float* a, int lda, float* b, int nPad, float beta, float* c, int ldc, int* rowIndex, float* tile)
    {
        Vector512<float>* acc = stackalloc Vector512<float>[SkinnyWideColumns];
        for (; i + 16 <= m; i += 16)
        {
            for (int j = 0; j < width; j++)
            {
                acc[j] = default;
            }

            float* g = b + j0;
            for (int p = 0; p < k; p++)
            {
                Vector512<float> v = Vector512.Load(Row(a, lda, rowIndex, p) + i);
                for (int j = 0; j < width; j++)
                {
                    acc[j] = Vector512.FusedMultiplyAdd(v, Vector512.Create(g[j]), acc[j]);
                }

                g += nPad;
            }

            for (int j = 0; j < width; j++)
            {
                acc[j].Store(tile + (j * 16));
            }

            StoreColumns(tile, 16, 16, cols, alpha, beta, c + ((nint)i * ldc) + j0, ldc);
        }

        if (i < m)
        {
            int rows = m - i;
            new Span<float>(tile, width * 16).Clear();
            float* g = b + j0;
            for (int p = 0; p < k; p++)
            {
                float* x = Row(a, lda, rowIndex, p) + i;
                for (int j = 0; j < cols; j++)
                {
                    float sj = g[j];
                    float* t = tile + (j * 16);
                    for (int r = 0; r < rows; r++)
                    {
                        t[r] += x[r] * sj;
                    }
                }

                g += nPad;
            }

            StoreColumns(tile, 16, rows, cols, alpha, beta, c + ((nint)i * ldc) + j0, ldc);
        }
    }

    // Row r of A: the r-th row in memory, or the row rowIndex[r] names (products over a subset without gathering it).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe float* Row(float* a, int lda, int* rowIndex, int r) => a + ((nint)(rowIndex == null ? r : rowIndex[r]) * lda);

    /// <summary>Whether <see cref="SkinnyRowsForward"/> and <see cref="SkinnyRowsBackward"/> run on this machine for n columns and d dims.</summary>
    internal static bool SkinnyRowsAvailable(int n, int d) => Kind == KernelKind.Avx512 && n <= SkinnyMaxColumns && d >= 32 && !SkinnyDisabled;

    /// <summary>
    /// <c>C[rows.Length × n] = X[rows]·B</c> for the rows of <paramref name="x"/> (row stride d) that
    /// <paramref name="rows"/> names, B d × n row-major: the probe's logits without copying its rows into a block.
    /// C is row-major, or with <paramref name="classStride"/> &gt; 0 class-major: C[i, j] at c[j·classStride + i].
    /// </summary>
    internal static unsafe void SkinnyRowsForward(ReadOnlySpan<float> x, int d, ReadOnlySpan<int> rows, ReadOnlySpan<float> b, int n, Span<float> c, int classStride = 0)
    {
        int m = rows.Length;
        if (classStride > 0 ? classStride < m || c.Length < ((long)(n - 1) * classStride) + m : c.Length < (long)m * n)
        {
            throw new ArgumentException($"C holds {c.Length} values; {m} rows × {n} columns (class stride {classStride}) do not fit.", nameof(c));
        }

        int nPad = (n + SkinnyColumnTile - 1) / SkinnyColumnTile * SkinnyColumnTile;
        float[] pack = SkinnyPack(nPad * d);
        fixed (float* pb = b)
        fixed (float* pp = pack)
        {
            for (int j = 0; j < nPad; j++)
            {
                float* dst = pp + ((nint)j * d);
                for (int p = 0; p < d; p++)
                {
                    dst[p] = j < n ? pb[((nint)p * n) + j] : 0f;
                }
            }

            fixed (float* px = x)
            fixed (int* pr = rows)
            fixed (float* pc = c)
            {
                SkinnyForward(m, n, d, 1f, px, d, pp, 0f, pc, classStride > 0 ? classStride : n, pr, classStride > 0);
            }
        }
    }

    /// <summary>
    /// <c>C[d × n] = X[rows]ᵀ·G</c> with G rows.Length × n row-major (or, with <paramref name="classStride"/> &gt; 0,
    /// class-major: G[p, j] at g[j·classStride + p]): the probe's weight gradient over the rows
    /// <paramref name="rows"/> names, without copying them into a block.
    /// </summary>
    internal static unsafe void SkinnyRowsBackward(ReadOnlySpan<float> x, int d, ReadOnlySpan<int> rows, ReadOnlySpan<float> g, int n, Span<float> c, int classStride = 0)
    {
        int k = rows.Length;
        if (classStride > 0 ? classStride < k || g.Length < ((long)(n - 1) * classStride) + k : g.Length < (long)k * n)
        {
            throw new ArgumentException($"G holds {g.Length} values; {k} rows × {n} columns (class stride {classStride}) do not fit.", nameof(g));
        }

        int nPad = BackwardPad(n);
        float[] pack = SkinnyPack(nPad * k);
        nint rowStep = classStride > 0 ? 1 : n, columnStep = classStride > 0 ? classStride : 1;
        fixed (float* pg = g)
        fixed (float* pp = pack)
        {
            for (int p = 0; p < k; p++)
            {
                for (int j = 0; j < nPad; j++)
                {
                    pp[((nint)p * nPad) + j] = j < n ? pg[(p * rowStep) + (j * columnStep)] : 0f;
                }
            }

            fixed (float* px = x)
            fixed (int* pr = rows)
            fixed (float* pc = c)
            {
                Backward(d, n, k, 1f, px, d, pp, nPad, 0f, pc, n, pr);
            }
        }
    }

    private static float[] SkinnyPack(int length)
    {
        if (t_packSkinny is null || t_packSkinny.Length < length)
        {
            t_packSkinny = GC.AllocateUninitializedArray<float>(Math.Max(length, 16 * 1024), pinned: true);
        }

        return t_packSkinny;
    }

    /// <summary>tile[j·stride + r] is C[r, j]: writes rows × cols of it with alpha and beta.</summary>
    private static unsafe void StoreColumns(float* tile, int stride, int rows, int cols, float alpha, float beta, float* c, int ldc)
    {
        for (int r = 0; r < rows; r++)
        {
            float* row = c + ((nint)r * ldc);
            for (int j = 0; j < cols; j++)
            {
                float v = alpha * tile[(j * stride) + r];
                row[j] = beta == 0f ? v : v + (beta * row[j]);
            }
        }
    }
}
