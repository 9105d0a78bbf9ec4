using Scar.Core.Numerics;

namespace Scar.Core.Tests;

public sealed class GemmTests
{
    private delegate void SgemmFn(
        bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc);

    public static TheoryData<bool, bool> TransposeCombos => new()
    {
        { false, false }, { false, true }, { true, false }, { true, true },
    };

    [Theory]
    [MemberData(nameof(TransposeCombos))]
    public void Managed_matches_double_reference_on_odd_sizes_and_strides(bool transA, bool transB)
    {
        CheckAgainstReference(Gemm.ManagedSgemm, transA, transB);
    }

    [Theory]
    [MemberData(nameof(TransposeCombos))]
    public void Native_matches_double_reference_when_available(bool transA, bool transB)
    {
        if (!Gemm.TryNativeSgemm(false, false, 1, 1, 1, 1f, [1f], 1, [1f], 1, 0f, new float[1], 1))
        {
            return; // OpenBLAS absent: the managed kernel is the only backend, tested above.
        }

        CheckAgainstReference(
            (ta, tb, m, n, k, al, a, lda, b, ldb, be, c, ldc) => Gemm.TryNativeSgemm(ta, tb, m, n, k, al, a, lda, b, ldb, be, c, ldc),
            transA, transB);
    }

    [Theory]
    [MemberData(nameof(TransposeCombos))]
    public void Public_entry_point_matches_reference(bool transA, bool transB)
    {
        CheckAgainstReference(Gemm.Sgemm, transA, transB);
    }

    [Fact]
    public void Large_products_span_several_cache_blocks()
    {
        // Sizes past KC (256), MC (144) and NC (2048) exercise every blocking loop and the beta carry-over.
        var rng = new DeterministicRandom(7);
        foreach ((int m, int n, int k) in new[] { (300, 2100, 530), (2050, 5, 600), (7, 3000, 257) })
        {
            foreach ((bool ta, bool tb) in new[] { (false, true), (true, false) })
            {
                RunCase(Gemm.ManagedSgemm, rng, ta, tb, m, n, k, 0, 0, 0, 1.5f, 0.5f);
            }
        }
    }

    [Fact]
    public void Skinny_products_match_reference()
    {
        // The probe's shapes (C with at most 16 columns), which take the skinny AVX-512 kernels where available.
        var rng = new DeterministicRandom(11);
        foreach ((int m, int n, int k) in new[] { (130, 10, 512), (517, 10, 96), (64, 16, 33), (9, 3, 700), (515, 5, 130) })
        {
            RunCase(Gemm.Sgemm, rng, false, false, m, n, k, 1, 2, 3, 1f, 0f);
            RunCase(Gemm.Sgemm, rng, true, false, m, n, k, 2, 0, 1, 0.75f, 0.5f);
            RunCase(Gemm.ManagedSgemm, rng, true, false, m, n, k, 0, 1, 0, 1f, 0f);
            RunCase(Gemm.Sgemm, rng, false, true, m, n, k, 1, 1, 1, -2f, 0f);
        }
    }

    [Fact]
    public void Native_and_managed_agree()
    {
        var rng = new DeterministicRandom(11);
        int m = 123, n = 77, k = 301;
        float[] a = Random(rng, m * k);
        float[] b = Random(rng, n * k);
        float[] c1 = Random(rng, m * n);
        float[] c2 = (float[])c1.Clone();
        Gemm.ManagedSgemm(false, true, m, n, k, 0.75f, a, k, b, k, -0.5f, c1, n);
        if (!Gemm.TryNativeSgemm(false, true, m, n, k, 0.75f, a, k, b, k, -0.5f, c2, n))
        {
            return;
        }

        for (int i = 0; i < c1.Length; i++)
        {
            Assert.True(Math.Abs(c1[i] - c2[i]) <= 1e-4 * (1 + Math.Abs(c1[i])), $"element {i}: {c1[i]} vs {c2[i]}");
        }
    }

    [Fact]
    public void Beta_zero_overwrites_nan_and_k_zero_scales()
    {
        float[] c = [float.NaN, float.NaN];
        Gemm.ManagedSgemm(false, false, 1, 2, 1, 1f, [2f], 1, [3f, 4f], 2, 0f, c, 2);
        Assert.Equal([6f, 8f], c);

        float[] d = [1f, 2f];
        Gemm.Sgemm(false, false, 1, 2, 0, 1f, [], 1, [], 2, 3f, d, 2);
        Assert.Equal([3f, 6f], d);
    }

    [Fact]
    public void Short_buffers_and_strides_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 2, 2, 2, 1f, new float[3], 2, new float[4], 2, 0f, new float[4], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Sgemm(false, false, 2, 2, 2, 1f, new float[4], 1, new float[4], 2, 0f, new float[4], 2));
    }

    [Fact]
    public void Backend_is_reported()
    {
        Assert.Contains(Gemm.Backend, new[] { "openblas", "managed" });

        // OpenBLAS is passed over exactly when it loaded with fallback kernels (and SCAR_BLAS does not insist).
        if (Gemm.BackendNote is { } note)
        {
            Assert.Equal("managed", Gemm.Backend);
            Assert.Contains(Gemm.OpenBlasCore!, note);
            Assert.Contains("OPENBLAS_CORETYPE=", note);
        }
        else if (Gemm.OpenBlasCore is { } core && Environment.GetEnvironmentVariable("SCAR_BLAS") is null)
        {
            Assert.Equal("openblas", Gemm.Backend);
            Assert.False(OpenBlasNative.IsFallbackKernel(core, System.Runtime.Intrinsics.X86.X86Base.IsSupported,
                System.Runtime.Intrinsics.X86.Avx2.IsSupported && System.Runtime.Intrinsics.X86.Fma.IsSupported), $"OpenBLAS runs {core} here");
        }
    }

    [Theory]
    [InlineData("Prescott", true, true, true)]       // Debian's 0.3.21 on Emerald Rapids
    [InlineData("Nehalem", true, true, true)]
    [InlineData("Sandybridge", true, true, true)]    // AVX without FMA
    [InlineData("Haswell", true, true, false)]
    [InlineData("SkylakeX", true, true, false)]
    [InlineData("Cooperlake", true, true, false)]
    [InlineData("SapphireRapids", true, true, false)]
    [InlineData("Zen", true, true, false)]
    [InlineData("Prescott", true, false, false)]     // an old CPU: OpenBLAS's kernels are its best
    [InlineData("ARMV8", false, false, false)]       // not x86: no judgement
    [InlineData(null, true, true, false)]            // an OpenBLAS that does not say
    public void OpenBLAS_fallback_kernels_are_recognised(string? core, bool x86, bool avx2AndFma, bool fallback)
    {
        Assert.Equal(fallback, OpenBlasNative.IsFallbackKernel(core, x86, avx2AndFma));
    }

    private static void CheckAgainstReference(SgemmFn gemm, bool transA, bool transB)
    {
        var rng = new DeterministicRandom(DeterministicRandom.Derive(3, transA ? 1 : 0, transB ? 1 : 0));
        int[] sizes = [1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 33, 47, 64, 67];
        foreach (int m in sizes)
        {
            foreach (int n in sizes)
            {
                // k over a reduced set keeps the test fast while still covering tails in every dimension.
                foreach (int k in new[] { 1, 4, 13, 67 })
                {
                    int pad = (m + n + k) % 3;
                    float beta = (m + k) % 2 == 0 ? 0f : 0.5f;
                    RunCase(gemm, rng, transA, transB, m, n, k, pad, pad + 1, pad * 2, 1.25f, beta);
                }
            }
        }
    }

    private static void RunCase(
        SgemmFn gemm, DeterministicRandom rng, bool transA, bool transB, int m, int n, int k,
        int padA, int padB, int padC, float alpha, float beta)
    {
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        int lda = aCols + padA, ldb = bCols + padB, ldc = n + padC;
        float[] a = Random(rng, aRows * lda);
        float[] b = Random(rng, bRows * ldb);
        float[] c = Random(rng, m * ldc);
        double[] expected = new double[m * n];
        double[] scale = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0, abs = 0;
                for (int p = 0; p < k; p++)
                {
                    double x = transA ? a[(p * lda) + i] : a[(i * lda) + p];
                    double y = transB ? b[(j * ldb) + p] : b[(p * ldb) + j];
                    sum += x * y;
                    abs += Math.Abs(x * y);
                }

                double old = c[(i * ldc) + j];
                expected[(i * n) + j] = (alpha * sum) + (beta == 0f ? 0 : beta * old);
                scale[(i * n) + j] = (Math.Abs(alpha) * abs) + Math.Abs(beta * old) + 1e-6;
            }
        }

        float[] padding = new float[c.Length];
        c.CopyTo(padding, 0);
        gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < ldc; j++)
            {
                int idx = (i * ldc) + j;
                if (j >= n)
                {
                    Assert.Equal(padding[idx], c[idx]); // stride padding is never written
                    continue;
                }

                double err = Math.Abs(c[idx] - expected[(i * n) + j]) / scale[(i * n) + j];
                Assert.True(err < 1e-4, $"m={m} n={n} k={k} tA={transA} tB={transB} ({i},{j}): {c[idx]} vs {expected[(i * n) + j]}");
            }
        }
    }

    private static float[] Random(DeterministicRandom rng, int length)
    {
        float[] values = new float[length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((rng.NextDouble() * 2) - 1);
        }

        return values;
    }
}
