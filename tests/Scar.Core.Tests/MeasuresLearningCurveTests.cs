using Scar.Core.Measures;

namespace Scar.Core.Tests;

/// <summary>Averaging over repeats, per-task h over ratios, ρ at r = 1 (SCAR-SPEC §5) and dataset SCAR (§6).</summary>
public class MeasuresLearningCurveTests
{
    [Fact]
    public void Average_is_the_mean_of_each_measure()
    {
        var a = new SubsetMeasures(0.5, [new TaskMeasures(0.5, 0.2, 0.8, 0.9), new TaskMeasures(0.5, 0.4, 0.6, 0.7)]);
        var b = new SubsetMeasures(0.7, [new TaskMeasures(0.5, 0.4, 0.6, 0.7), new TaskMeasures(0.5, 0.0, 1.0, 1.0)]);
        SubsetMeasures mean = LearningCurve.Average([a, b]);
        Assert.Equal(0.6, mean.TrainAccuracy, 15);
        Assert.Equal(0.3, mean.Tasks[0].Coverage, 15);
        Assert.Equal(0.7, mean.Tasks[0].Authenticity, 15);
        Assert.Equal(0.85, mean.Tasks[1].Richness, 15);
        Assert.Throws<ArgumentException>(() => LearningCurve.Average([]));
    }

    [Fact]
    public void Per_task_h_fits_h_over_inverse_ratio_and_reports_failed_tasks()
    {
        double[] ratios = [1, 2];

        // Task 1 has coverage 1, hence h = 0 at every ratio: no usable point, reported not thrown.
        SubsetMeasures r1 = new(0.8, [new TaskMeasures(1, 0.5, 0.9, 0.9), new TaskMeasures(1, 1.0, 0.9, 0.9)]);
        SubsetMeasures r2 = new(0.8, [new TaskMeasures(0.5, 0.6, 0.9, 0.9), new TaskMeasures(0.5, 1.0, 0.9, 0.9)]);
        IReadOnlyList<TaskHypothesis> h = LearningCurve.PerTaskH(ratios, [r1, r2]);
        SaturationFitResult expected = SaturationFit.FitLower([1.0, 0.5], [0.5, 0.4]);
        Assert.Equal(expected.A, h[0].H);
        Assert.Null(h[1].H);
        Assert.Contains("task 1", h[1].Error, StringComparison.Ordinal);
        Assert.Equal([1, 2, 5, 10, 15, 20, 30], LearningCurve.Ratios);
    }

    [Fact]
    public void Rho_at_r1_uses_mean_authenticity()
    {
        var m = new SubsetMeasures(0.8, [new TaskMeasures(1, 0, 0.95, 1), new TaskMeasures(1, 0, 0.97, 1)]);
        Assert.Equal((1 - 0.8) / (1 - 0.96), LearningCurve.RhoAtR1(m), 12);
    }

    [Fact]
    public void Dataset_scar_hand_values()
    {
        DatasetScarValues v = DatasetScar.Compute(24811, 113135.236, 0.5, 24811 * 8 / 10);
        Assert.Equal(24811 / 113135.236, v.Scale, 15);
        Assert.Equal(1.0, v.Richness);
        Assert.Equal(0.5, v.Authenticity);
        Assert.Equal(((24811 * 8 / 10) - (0.6 * 24811)) / (0.4 * 24811), v.Coverage!.Value, 15);

        DatasetScarValues big = DatasetScar.Compute(200_000, 100_000, 0.9);
        Assert.Equal(1.0, big.Scale);
        Assert.Equal(0.5, big.Richness);
        Assert.Null(big.Coverage);
    }
}
