using System.Text.Json;
using Scar.Core.Measures;

namespace Scar.Core.Tests;

/// <summary>The lower saturation fit (SCAR-SPEC §5): conformance cases, closed form and edge cases.</summary>
public class SaturationTests
{
    public static TheoryData<int> Cases() => MeasuresConformance.Indexes("saturation_fit");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Case_matches_reference(int index)
    {
        MeasuresConformance.RequireFolder();
        Assert.True(index >= 0, "no cases listed");
        using JsonDocument doc = MeasuresConformance.MeasuresJson();
        JsonElement element = doc.RootElement.GetProperty("saturation_fit")[index];
        double[] x = Doubles(element.GetProperty("x"));
        double[] y = Doubles(element.GetProperty("y"));
        JsonElement expected = element.GetProperty("expected");

        SaturationFitResult grid = SaturationFit.FitLower(x, y);
        SaturationFitResult closed = SaturationFit.FitLowerClosedForm(x, y);

        MeasuresConformance.RelClose(expected.GetProperty("a").GetDouble(), grid.A, 1e-9, "a");
        MeasuresConformance.RelClose(expected.GetProperty("lambda").GetDouble(), grid.Lambda, 1e-9, "lambda");
        Assert.Equal(grid, closed);
    }

    [Fact]
    public void Grid_is_numpy_logspace()
    {
        double[] grid = SaturationFit.LambdaGrid();
        Assert.Equal(1000, grid.Length);
        MeasuresConformance.RelClose(1e-4, grid[0], 1e-15, "first");
        Assert.Equal(10.0, grid[^1]);
        MeasuresConformance.RelClose(Math.Pow(10, -4 + (5.0 * 500 / 999)), grid[500], 1e-15, "middle");
        for (int j = 1; j < grid.Length; j++)
        {
            Assert.True(grid[j] > grid[j - 1]);
        }
    }

    [Fact]
    public void Closed_form_equals_grid_search_on_random_curves()
    {
        var random = new Random(7);
        double[] x = [1.0, 0.5, 0.2, 0.1, 1.0 / 15, 0.05, 1.0 / 30];
        for (int trial = 0; trial < 50; trial++)
        {
            double[] y = new double[x.Length];
            for (int i = 0; i < y.Length; i++)
            {
                y[i] = Math.Exp((random.NextDouble() * 12) - 4);
            }

            Assert.Equal(SaturationFit.FitLowerClosedForm(x, y), SaturationFit.FitLower(x, y));
        }
    }

    [Fact]
    public void Hand_checked_single_point()
    {
        // One point (x = 1, y = 2): a = 2 / (1 − e^(−1e-4)) ≈ 2·10⁴ + 1.
        SaturationFitResult fit = SaturationFit.FitLower([1.0], [2.0]);
        Assert.Equal(1, fit.UsedPoints);
        MeasuresConformance.RelClose(2.0 / -double.ExpM1(-1e-4), fit.A, 1e-11, "a");
        MeasuresConformance.RelClose(20001.0, fit.A, 1e-8, "a ≈ 2·10⁴ + 1");
    }

    [Fact]
    public void Drops_unusable_points()
    {
        SaturationFitResult all = SaturationFit.FitLower([1.0, 0.5, 0.0, -1.0, double.NaN, 0.2, 0.1], [3.0, 2.0, 1.0, 1.0, 1.0, double.NaN, -1.0]);
        SaturationFitResult kept = SaturationFit.FitLower([1.0, 0.5], [3.0, 2.0]);
        Assert.Equal(2, all.UsedPoints);
        Assert.Equal(kept, all);
    }

    [Fact]
    public void No_usable_point_throws_clear_error()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => SaturationFit.FitLower([0.0, 1.0], [1.0, double.NaN]));
        Assert.Contains("no usable point", ex.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => SaturationFit.FitLower([], []));
    }

    [Fact]
    public void Mismatched_lengths_throw()
        => Assert.Throws<ArgumentException>(() => SaturationFit.FitLower([1.0], [1.0, 2.0]));

    private static double[] Doubles(JsonElement array)
    {
        double[] result = new double[array.GetArrayLength()];
        int i = 0;
        foreach (JsonElement e in array.EnumerateArray())
        {
            result[i++] = e.GetDouble();
        }

        return result;
    }
}
