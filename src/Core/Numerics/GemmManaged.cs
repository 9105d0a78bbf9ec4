using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Scar.Core.Numerics;

/// <summary>
/// The managed GEMM: Goto-style blocking (pack a KC×NC panel of op(B) and an MC×KC panel of op(A) into
/// contiguous, zero-padded micro-panels, then run an MR×NR register-tile micro-kernel over them). Packing makes
/// every stride and transpose combination look the same to the micro-kernel, and zero padding handles the tails.
/// </summary>
public static partial class Gemm
{
    // KC×NR of B and MR×KC of A stay in L1; MC×KC of A in L2; KC×NC of B in L2/L3.
    private const int KC = 256;
    private const int MC = 144; // a multiple of every MR below (8, 6, 4)
    private const int NC = 2048; // a multiple of every NR below (32, 16, 8)

    private enum KernelKind
    {
        Scalar,
        Avx2,
        Avx512,
    }

    private static readonly KernelKind Kind =
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? KernelKind.Avx512
        : Vector256.IsHardwareAccelerated && Fma.IsSupported ? KernelKind.Avx2
        : KernelKind.Scalar;

    [ThreadStatic]
    private static float[]? t_packA;

    [ThreadStatic]
    private static float[]? t_packB;

    /// <summary>Which micro-kernel the managed path uses (for benchmarks and reports).</summary>
    internal static string ManagedKernel => Kind.ToString();

    private static (int Mr, int Nr) Shape => Kind switch
    {
        KernelKind.Avx512 => (8, 32),
        KernelKind.Avx2 => (6, 16),
        _ => (4, 8),
    };

    private static unsafe void ManagedCore(
        bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        // Element (i, p) of op(A) is a[i·rsa + p·csa]; (p, j) of op(B) is b[p·rsb + j·csb]; (i, j) of C is c[i·rsc + j·csc].
        nint rsa = transA ? 1 : lda, csa = transA ? lda : 1;
        nint rsb = transB ? 1 : ldb, csb = transB ? ldb : 1;
        nint rsc = ldc, csc = 1;
        (int mr, int nr) = Shape;

        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            if (n < nr && m > n)
            {
                // A narrow C (the probe's k classes) would leave most vector lanes of the NR-wide tile idle; the
                // transposed problem Cᵀ = op(B)ᵀ·op(A)ᵀ puts the tall dimension across the lanes instead.
                Blocked(n, m, k, alpha, pb, csb, rsb, pa, csa, rsa, beta, pc, csc, rsc, mr, nr);
            }
            else
            {
                Blocked(m, n, k, alpha, pa, rsa, csa, pb, rsb, csb, beta, pc, rsc, csc, mr, nr);
            }
        }
    }

    private static unsafe void Blocked(
        int m, int n, int k, float alpha, float* a, nint rsa, nint csa, float* b, nint rsb, nint csb,
        float beta, float* c, nint rsc, nint csc, int mr, int nr)
    {
        float[] packA = t_packA ??= GC.AllocateUninitializedArray<float>(MC * KC, pinned: true);
        float[] packB = t_packB ??= GC.AllocateUninitializedArray<float>(KC * NC, pinned: true);
        float* tile = stackalloc float[8 * 32];
        fixed (float* pA = packA)
        fixed (float* pB = packB)
        {
            for (int jc = 0; jc < n; jc += NC)
            {
                int nc = Math.Min(NC, n - jc);
                for (int pc = 0; pc < k; pc += KC)
                {
                    int kc = Math.Min(KC, k - pc);
                    PackB(kc, nc, b + (pc * rsb) + (jc * csb), rsb, csb, pB, nr);

                    // Later KC slices add onto what the first slice wrote.
                    float betaEff = pc == 0 ? beta : 1f;
                    for (int ic = 0; ic < m; ic += MC)
                    {
                        int mc = Math.Min(MC, m - ic);
                        PackA(mc, kc, a + (ic * rsa) + (pc * csa), rsa, csa, pA, mr);
                        for (int jr = 0; jr < nc; jr += nr)
                        {
                            int nrb = Math.Min(nr, nc - jr);
                            float* bPanel = pB + ((nint)jr * kc);
                            for (int ir = 0; ir < mc; ir += mr)
                            {
                                int mrb = Math.Min(mr, mc - ir);
                                float* aPanel = pA + ((nint)ir * kc);
                                float* cTile = c + ((ic + ir) * rsc) + ((jc + jr) * csc);
                                switch (Kind)
                                {
                                    case KernelKind.Avx512:
                                        Kernel8x32(kc, aPanel, bPanel, tile);
                                        break;
                                    case KernelKind.Avx2:
                                        Kernel6x16(kc, aPanel, bPanel, tile);
                                        break;
                                    default:
                                        KernelScalar(kc, aPanel, bPanel, tile, mr, nr);
                                        break;
                                }

                                Store(tile, mr, nr, mrb, nrb, alpha, betaEff, cTile, rsc, csc);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Packs op(A)[0..mc, 0..kc] into MR-row micro-panels: panel r holds, for each p, MR values.</summary>
    private static unsafe void PackA(int mc, int kc, float* a, nint rsa, nint csa, float* dst, int mr)
    {
        for (int i0 = 0; i0 < mc; i0 += mr)
        {
            int rows = Math.Min(mr, mc - i0);
            float* panel = dst + ((nint)i0 * kc);
            if (rows < mr)
            {
                new Span<float>(panel, kc * mr).Clear();
            }

            if (csa == 1)
            {
                // Rows of A are contiguous: read along them.
                for (int i = 0; i < rows; i++)
                {
                    float* src = a + ((i0 + i) * rsa);
                    for (int p = 0; p < kc; p++)
                    {
                        panel[(p * mr) + i] = src[p];
                    }
                }
            }
            else
            {
                for (int p = 0; p < kc; p++)
                {
                    float* src = a + (p * csa) + (i0 * rsa);
                    float* d = panel + (p * mr);
                    for (int i = 0; i < rows; i++)
                    {
                        d[i] = src[i * rsa];
                    }
                }
            }
        }
    }

    /// <summary>Packs op(B)[0..kc, 0..nc] into NR-column micro-panels: panel j holds, for each p, NR values.</summary>
    private static unsafe void PackB(int kc, int nc, float* b, nint rsb, nint csb, float* dst, int nr)
    {
        for (int j0 = 0; j0 < nc; j0 += nr)
        {
            int cols = Math.Min(nr, nc - j0);
            float* panel = dst + ((nint)j0 * kc);
            if (cols < nr)
            {
                new Span<float>(panel, kc * nr).Clear();
            }

            if (csb == 1)
            {
                for (int p = 0; p < kc; p++)
                {
                    new ReadOnlySpan<float>(b + (p * rsb) + j0, cols).CopyTo(new Span<float>(panel + (p * nr), cols));
                }
            }
            else
            {
                // Columns of op(B) are rows of B as stored: read along them.
                for (int j = 0; j < cols; j++)
                {
                    float* src = b + ((j0 + j) * csb);
                    for (int p = 0; p < kc; p++)
                    {
                        panel[(p * nr) + j] = src[p * rsb];
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Kernel8x32(int kc, float* a, float* b, float* tile)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> x = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(x, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(x, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(x, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(x, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(x, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(x, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(a[6]);
            c60 = Vector512.FusedMultiplyAdd(x, b0, c60);
            c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(a[7]);
            c70 = Vector512.FusedMultiplyAdd(x, b0, c70);
            c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
            a += 8;
            b += 32;
        }

        c00.Store(tile);
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
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Kernel6x16(int kc, float* a, float* b, float* tile)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector256<float> c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b);
            Vector256<float> b1 = Vector256.Load(b + 8);
            Vector256<float> x = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(x, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            x = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(x, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            x = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(x, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            x = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(x, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
            x = Vector256.Create(a[4]);
            c40 = Vector256.FusedMultiplyAdd(x, b0, c40);
            c41 = Vector256.FusedMultiplyAdd(x, b1, c41);
            x = Vector256.Create(a[5]);
            c50 = Vector256.FusedMultiplyAdd(x, b0, c50);
            c51 = Vector256.FusedMultiplyAdd(x, b1, c51);
            a += 6;
            b += 16;
        }

        c00.Store(tile);
        c01.Store(tile + 8);
        c10.Store(tile + 16);
        c11.Store(tile + 24);
        c20.Store(tile + 32);
        c21.Store(tile + 40);
        c30.Store(tile + 48);
        c31.Store(tile + 56);
        c40.Store(tile + 64);
        c41.Store(tile + 72);
        c50.Store(tile + 80);
        c51.Store(tile + 88);
    }

    private static unsafe void KernelScalar(int kc, float* a, float* b, float* tile, int mr, int nr)
    {
        new Span<float>(tile, mr * nr).Clear();
        for (int p = 0; p < kc; p++)
        {
            for (int i = 0; i < mr; i++)
            {
                float x = a[i];
                float* t = tile + (i * nr);
                for (int j = 0; j < nr; j++)
                {
                    t[j] += x * b[j];
                }
            }

            a += mr;
            b += nr;
        }
    }

    /// <summary>C tile = alpha·tile + beta·C over the valid mrb×nrb corner; beta = 0 never reads C.</summary>
    private static unsafe void Store(float* tile, int mr, int nr, int mrb, int nrb, float alpha, float beta, float* c, nint rsc, nint csc)
    {
        if (csc == 1 && nrb == nr && Vector256.IsHardwareAccelerated)
        {
            var va = Vector256.Create(alpha);
            var vb = Vector256.Create(beta);
            for (int i = 0; i < mrb; i++)
            {
                float* t = tile + (i * nr);
                float* row = c + (i * rsc);
                for (int j = 0; j < nr; j += 8)
                {
                    Vector256<float> r = va * Vector256.Load(t + j);
                    if (beta != 0f)
                    {
                        r += vb * Vector256.Load(row + j);
                    }

                    r.Store(row + j);
                }
            }

            return;
        }

        for (int i = 0; i < mrb; i++)
        {
            float* t = tile + (i * nr);
            float* row = c + (i * rsc);
            for (int j = 0; j < nrb; j++)
            {
                float* e = row + (j * csc);
                *e = beta == 0f ? alpha * t[j] : (alpha * t[j]) + (beta * *e);
            }
        }
    }
}
