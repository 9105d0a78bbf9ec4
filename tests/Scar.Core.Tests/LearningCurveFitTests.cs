using Scar.Core.Numerics;
using Scar.Core.Report;

namespace Scar.Core.Tests;

public sealed class LearningCurveFitTests
{
    private static readonly int[] PaperRatios = [1, 2, 5, 10, 15, 20, 30];

    // Points of acc(n) = a − b·e^(−c·n) at the paper's ratios of n = 6000 (ratio r repeated r times), with Gaussian noise.
    private static (int[] Groups, double[] N, double[] Acc) Synthetic(Func<double, double> curve, double noise, ulong seed, int full = 6000)
    {
        var random = new DeterministicRandom(seed);
        var groups = new List<int>();
        var n = new List<double>();
        var acc = new List<double>();
        foreach (int r in PaperRatios)
        {
            for (int repeat = 0; repeat < r; repeat++)
            {
                double size = full / r;
                groups.Add(r);
                n.Add(size);
                acc.Add(curve(size) + (noise * random.NextGaussian()));
            }
        }

        return (groups.ToArray(), n.ToArray(), acc.ToArray());
    }

    [Fact]
    public void Noiseless_points_recover_the_curve()
    {
        var (_, n, acc) = Synthetic(x => 0.9 - (0.5 * Math.Exp(-0.002 * x)), 0, 1);
        var fit = LearningCurveFit.Fit(n, acc)!;
        Assert.True(fit.Converged);
        Assert.Equal(0.9, fit.A, 6);
        Assert.Equal(0.5, fit.B, 6);
        Assert.Equal(0.002, fit.C, 8);
    }

    [Fact]
    public void Bootstrap_interval_contains_the_true_saturation_size()
    {
        // A 95 % interval misses now and then by construction: check it on 20 independent noisy curves and require
        // that it contains the truth in at least 17 of them (and that the point estimate is close every time).
        const double a = 0.85, b = 0.5, c = 0.0015, eps = 0.01;
        double truth = Math.Log(b / eps) / c; // ≈ 2608: acc(truth) = a − ε
        int covered = 0;
        var misses = new List<string>();
        for (ulong seed = 1; seed <= 20; seed++)
        {
            var (groups, n, acc) = Synthetic(x => a - (b * Math.Exp(-c * x)), 0.01, seed);
            var result = LearningCurveFit.Estimate(groups, n, [acc], eps, 200, 7)[0];
            Assert.Equal(LearningCurveFit.Ok, result.Status);
            Assert.True(result.Low <= result.Value && result.Value <= result.High);
            Assert.InRange(result.Value!.Value, truth * 0.75, truth * 1.25);
            if (result.Low <= truth && truth <= result.High)
            {
                covered++;
            }
            else
            {
                misses.Add($"seed {seed}: [{result.Low:F0}, {result.High:F0}]");
            }
        }

        Assert.True(covered >= 17, $"true {truth:F0} inside only {covered}/20 intervals; misses: {string.Join("; ", misses)}");
    }

    [Fact]
    public void Bootstrap_is_reproducible_with_the_seed()
    {
        var (groups, n, acc) = Synthetic(x => 0.8 - (0.4 * Math.Exp(-0.001 * x)), 0.01, 4);
        var first = LearningCurveFit.Estimate(groups, n, [acc], 0.01, 50, 9)[0];
        var second = LearningCurveFit.Estimate(groups, n, [acc], 0.01, 50, 9)[0];
        Assert.Equal(first, second);
    }

    [Fact]
    public void A_straight_rising_line_is_not_saturating()
    {
        var (groups, n, acc) = Synthetic(x => 0.3 + (0.00005 * x), 0.002, 5);
        var result = LearningCurveFit.Estimate(groups, n, [acc], 0.01, 20, 1)[0];
        Assert.Equal(LearningCurveFit.NotSaturating, result.Status);
        Assert.Null(result.Value);
        Assert.Null(result.Low);
        Assert.Null(result.High);
    }

    [Fact]
    public void A_curve_saturating_far_beyond_the_data_is_not_saturating()
    {
        // c = 1e-5 per sample: FDS_lc ≈ 4e5, far beyond 10 × 6000.
        var (groups, n, acc) = Synthetic(x => 0.9 - (0.5 * Math.Exp(-1e-5 * x)), 0.0005, 6);
        var result = LearningCurveFit.Estimate(groups, n, [acc], 0.01, 0, 1)[0];
        Assert.Equal(LearningCurveFit.NotSaturating, result.Status);
        Assert.Null(result.Value);
    }

    [Fact]
    public void Too_few_sizes_or_non_finite_points_do_not_converge()
    {
        var twoSizes = LearningCurveFit.Estimate([1, 2, 2], [100, 50, 50], [[0.8, 0.7, 0.71]], 0.01, 10, 1)[0];
        Assert.Equal(LearningCurveFit.NotConverged, twoSizes.Status);
        Assert.Null(twoSizes.Value);
        var nan = LearningCurveFit.Estimate([1, 2, 5], [100, 50, 20], [[0.8, double.NaN, 0.5]], 0.01, 10, 1)[0];
        Assert.Equal(LearningCurveFit.NotConverged, nan.Status);
    }

    [Fact]
    public void A_flat_curve_is_saturated_from_the_start()
    {
        var (groups, n, acc) = Synthetic(_ => 0.7, 0.001, 8);
        var result = LearningCurveFit.Estimate(groups, n, [acc], 0.01, 20, 1)[0];
        Assert.Equal(LearningCurveFit.Ok, result.Status);
        Assert.True(result.Value < 300, $"{result.Value}");
    }

    [Fact]
    public void Spread_formats_mean_plus_minus_range()
    {
        var s = Spread.Of([0.2466, 0.25, null, 0.2401]);
        Assert.Equal(3, s.Count);
        Assert.Equal("24.56 ± 0.99", s.Format("F2", 100));
        Assert.Equal("n/a", Spread.Of([null]).Format("F2"));
    }
}
