using Scar.Core.Measures;

namespace Scar.Core.Tests;

/// <summary>Hand-checked Foundation Data Size pieces (SCAR-SPEC §5): e_m, ρ, per-task FDS, total and fallback.</summary>
public class FdsUnitTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(8)]
    public void Elementary_symmetric_equals_brute_force_over_subsets(int k)
    {
        var random = new Random(100 + k);
        double[] h = new double[k];
        for (int i = 0; i < k; i++)
        {
            h[i] = Math.Exp((random.NextDouble() * 10) - 2);
        }

        const int order = 4;
        double[] brute = new double[order];
        for (int mask = 1; mask < (1 << k); mask++)
        {
            int size = 0;
            double product = 1;
            for (int i = 0; i < k; i++)
            {
                if ((mask & (1 << i)) != 0)
                {
                    size++;
                    product *= h[i];
                }
            }

            if (size <= order)
            {
                brute[size - 1] += product;
            }
        }

        double[] exact = FoundationDataSize.ElementarySymmetric(h, order);
        double[] log = FoundationDataSize.ElementarySymmetricLog(h, order);
        for (int m = 0; m < order; m++)
        {
            if (brute[m] == 0)
            {
                Assert.Equal(0.0, exact[m]);
                Assert.Equal(double.NegativeInfinity, log[m]);
            }
            else
            {
                MeasuresConformance.RelClose(brute[m], exact[m], 1e-13, $"e_{m + 1}");
                MeasuresConformance.RelClose(Math.Log(brute[m]), log[m], 1e-13, $"ln e_{m + 1}");
            }
        }
    }

    [Fact]
    public void Elementary_symmetric_hand_values()
    {
        double[] e = FoundationDataSize.ElementarySymmetric([1, 2, 3], 3);
        Assert.Equal([6.0, 11.0, 6.0], e);
    }

    [Fact]
    public void Log_elementary_symmetric_does_not_overflow_for_huge_values()
    {
        double[] h = new double[100];
        Array.Fill(h, 1e300);
        double[] log = FoundationDataSize.ElementarySymmetricLog(h, 3);
        MeasuresConformance.RelClose(Math.Log(161700) + (3 * Math.Log(1e300)), log[2], 1e-14, "ln e_3");
        Assert.Equal(double.PositiveInfinity, FoundationDataSize.ElementarySymmetric(h, 3)[2]);
    }

    [Fact]
    public void Per_task_hand_value()
    {
        Assert.Equal(Math.Log(100) / 2e-4, FoundationDataSize.PerTask(1.0), 9);
        Assert.Equal(Math.Log(1e4) / (2 * 0.05 * 0.05), FoundationDataSize.PerTask(10, 0.001, 0.05), 9);
    }

    [Fact]
    public void Rho_cases()
    {
        Assert.Equal(Math.E, FoundationDataSize.Rho(0.9, 1.0));
        Assert.Equal(Math.E, FoundationDataSize.Rho(0.9, 0.9)); // ratio 1 < e
        Assert.Equal((1 - 0.8) / (1 - 0.96), FoundationDataSize.Rho(0.8, 0.96));
    }

    [Fact]
    public void Total_root_satisfies_the_bonferroni_equation()
    {
        double[] h = [120, 80, 3000, 45];
        FdsResult r = FoundationDataSize.Total(h, 5.0);
        Assert.False(r.Fallback);
        double[] e = FoundationDataSize.ElementarySymmetric(h, 3);
        double lhs = (e[0] * Math.Exp(-2 * r.X)) - (e[1] * Math.Exp(-4 * r.X)) + (e[2] * Math.Exp(-6 * r.X));
        Assert.Equal(0.01, lhs, 12);
        Assert.Equal(Math.Log(5.0) * r.X / 1e-4, r.Total, 6);
        Assert.Equal(4, r.PerTask.Count);
        Assert.Equal(5.0, r.Rho);
    }

    [Fact]
    public void Total_handles_hundred_huge_tasks()
    {
        double[] h = new double[100];
        for (int i = 0; i < h.Length; i++)
        {
            h[i] = 1e7 * (1 + (i % 7));
        }

        FdsResult r = FoundationDataSize.Total(h, Math.E);
        Assert.False(r.Fallback);
        Assert.True(double.IsFinite(r.X) && r.X > Math.Log(7e7) / 2);
        Assert.True(double.IsFinite(r.Total));
    }

    [Fact]
    public void Total_falls_back_to_per_task_sum_without_a_bracketed_root()
    {
        // Order 2 with ten equal h = 1: f(lo) ≈ 10 − 45 − δ_E < 0 and f(lo + 30) ≈ −δ_E < 0: no sign change.
        double[] h = new double[10];
        Array.Fill(h, 1.0);
        FdsResult r = FoundationDataSize.Total(h, 5.0, order: 2);
        Assert.True(r.Fallback);
        Assert.True(double.IsNaN(r.X));
        Assert.Equal(10 * FoundationDataSize.PerTask(1.0), r.Total, 6);
    }

    [Fact]
    public void Total_rejects_bad_h_and_rho()
    {
        Assert.Throws<ArgumentException>(() => FoundationDataSize.Total([], 5.0));
        Assert.Throws<ArgumentException>(() => FoundationDataSize.Total([1.0, 0.0], 5.0));
        Assert.Throws<ArgumentException>(() => FoundationDataSize.Total([1.0, double.NaN], 5.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => FoundationDataSize.Total([1.0], 0.5));
    }
}

/// <summary>Brent's method with scipy.optimize.brentq semantics.</summary>
public class FdsBrentTests
{
    [Fact]
    public void Finds_sqrt2()
    {
        double? root = Brent.FindRoot(x => (x * x) - 2, 0, 2);
        Assert.NotNull(root);
        Assert.Equal(Math.Sqrt(2), root.Value, 12);
    }

    [Fact]
    public void Finds_dottie_number()
    {
        double? root = Brent.FindRoot(x => Math.Cos(x) - x, 0, 1);
        Assert.Equal(0.7390851332151607, root!.Value, 12);
    }

    [Fact]
    public void Same_sign_gives_null()
        => Assert.Null(Brent.FindRoot(x => (x * x) + 1, -1, 1));

    [Fact]
    public void Root_at_an_end_is_returned()
    {
        Assert.Equal(1.0, Brent.FindRoot(x => x - 1, 1, 3));
        Assert.Equal(3.0, Brent.FindRoot(x => x - 3, 1, 3));
    }

    [Fact]
    public void Non_convergence_throws()
        => Assert.Throws<InvalidOperationException>(() => Brent.FindRoot(x => x - 0.123456789, 0, 1, maxIter: 1));
}
