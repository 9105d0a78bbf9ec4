using Scar.Core.Measures;

namespace Scar.Core.Tests;

/// <summary>Hand-checked cases of the per-task measures (SCAR-SPEC §3–§4).</summary>
public class MeasuresUnitTests
{
    [Fact]
    public void Jsd_of_one_sample_is_one()
        => Assert.Equal(1.0, ScarMeasures.JsdToNormal([3.5]));

    [Fact]
    public void Jsd_of_no_sample_is_one()
        => Assert.Equal(1.0, ScarMeasures.JsdToNormal([]));

    [Fact]
    public void Jsd_of_zero_spread_is_one()
        => Assert.Equal(1.0, ScarMeasures.JsdToNormal([0.1, 0.1, 0.1, 0.1]));

    [Fact]
    public void Jsd_of_normal_sample_is_small_and_of_two_spikes_is_large()
    {
        // Deterministic normal quantiles: the histogram is close to the fitted pdf.
        double[] normal = new double[20000];
        var random = new Random(11);
        for (int i = 0; i < normal.Length; i++)
        {
            double u1 = 1.0 - random.NextDouble();
            double u2 = random.NextDouble();
            normal[i] = 2.0 + (0.5 * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }

        double small = ScarMeasures.JsdToNormal(normal);
        Assert.InRange(small, 0.0, 0.01);

        double[] spikes = [1, 1, 1, 1, 1, 9, 9, 9, 9, 9];
        double large = ScarMeasures.JsdToNormal(spikes);
        Assert.InRange(large, 0.5, 1.0);
    }

    [Fact]
    public void Jensen_shannon_bounds()
    {
        Assert.Equal(0.0, ScarMeasures.JensenShannonDivergence([0.2, 0.8], [0.2, 0.8]), 15);
        Assert.Equal(1.0, ScarMeasures.JensenShannonDivergence([1.0, 0.0], [0.0, 1.0]), 15);

        // Unnormalized input is normalized first, as scipy does.
        Assert.Equal(0.0, ScarMeasures.JensenShannonDivergence([2.0, 8.0], [0.2, 0.8]), 15);

        // Hand value: p = (1/2, 1/2), q = (1, 0): m = (3/4, 1/4);
        // KL(p‖m) = ½ln(2/3) + ½ln 2, KL(q‖m) = ln(4/3); JSD = (KL + KL)/(2 ln 2).
        double expected = ((0.5 * Math.Log(2.0 / 3.0)) + (0.5 * Math.Log(2.0)) + Math.Log(4.0 / 3.0)) / (2 * Math.Log(2));
        Assert.Equal(expected, ScarMeasures.JensenShannonDivergence([0.5, 0.5], [1.0, 0.0]), 15);
    }

    [Fact]
    public void Histogram_follows_numpy_edges()
    {
        double[] values = [0.0, 0.3, 0.31, 0.7, 1.0, 0.999999, 0.01, 0.5];
        double[] edges = ScarMeasures.HistogramEdges(0.0, 1.0, 100);
        Assert.Equal(101, edges.Length);
        Assert.Equal(0.0, edges[0]);
        Assert.Equal(1.0, edges[100]);
        Assert.Equal(30 * 0.01, edges[30]);
        int[] counts = ScarMeasures.Histogram(values, edges);
        Assert.Equal(values.Length, counts.Sum());
        Assert.Equal(1, counts[0]);
        Assert.Equal(2, counts[99]); // the max is in the last, right-closed bin
        Assert.Equal(1, counts[30]); // 0.3 == edges[30] goes right
        Assert.Equal(1, counts[31]);
        Assert.Equal(1, counts[1]);
        foreach (double v in values)
        {
            int bin = Array.FindLastIndex(edges, e => e <= v);
            Assert.True(counts[Math.Min(bin, 99)] > 0);
        }
    }

    [Fact]
    public void Coverage_of_no_groups_is_zero_and_empty_group_is_skipped()
    {
        Assert.Equal(0.0, ScarMeasures.CoverageOfGroups([], []));

        // One group with one sample: JSD 1, coverage 0; the empty group does not count as a zero.
        Assert.Equal(0.0, ScarMeasures.CoverageOfGroups([2.0], []));
        double[] spread = [1, 2, 2, 3, 3, 3, 4, 4, 5];
        double single = 1.0 - ScarMeasures.JsdToNormal(spread);
        Assert.Equal(single, ScarMeasures.CoverageOfGroups(spread, []));
        Assert.Equal(single, ScarMeasures.CoverageOfGroups([], spread));
        Assert.Equal(single / 2, ScarMeasures.CoverageOfGroups(spread, [7.0]));
    }

    [Fact]
    public void Task_never_predicted_has_zero_coverage()
    {
        // k = 3, class 2 is never the argmax.
        double[] logits = [3, 1, 0, 1, 3, 0, 2, 1, 0];
        SubsetMeasures m = ScarMeasures.Compute(logits, 3, 3, [0, 1, 2], 1.0);
        Assert.Equal(0.0, m.Tasks[2].Coverage);
    }

    [Fact]
    public void Coverage_keeps_only_positive_scores()
    {
        // Task 0: true positives with logit_0 ∈ {−1 (dropped), 1, 2, 3}; no false positives.
        double[] logits = [-1, -5, 1, -5, 2, -5, 3, -5, -5, 0];
        int[] labels = [0, 0, 0, 0, 1];
        SubsetMeasures m = ScarMeasures.Compute(logits, 5, 2, labels, 1.0);
        Assert.Equal(1.0 - ScarMeasures.JsdToNormal([1.0, 2.0, 3.0]), m.Tasks[0].Coverage);
    }

    [Fact]
    public void Scale_with_k2_counts_misclassified_as_wrong_on_every_task()
    {
        // k = 2: a misclassified sample is wrong on both tasks, so F = the two errors.
        double[] logits = [1, 0, 0, 1, 0, 1, 1, 0];
        int[] labels = [0, 0, 1, 1]; // predictions 0, 1, 1, 0
        SubsetMeasures m = ScarMeasures.Compute(logits, 4, 2, labels, 2.0);
        Assert.Equal(0.5, m.TrainAccuracy);
        Assert.All(m.Tasks, t => Assert.Equal((2.0 / 4.0) / 2.0, t.Scale));
    }

    [Fact]
    public void Scale_with_k3_is_one_over_r()
    {
        double[] logits = [0, 1, 0, 0, 0, 1, 1, 0, 0];
        SubsetMeasures m = ScarMeasures.Compute(logits, 3, 3, [0, 1, 2], 5.0);
        Assert.Equal(0.0, m.TrainAccuracy);
        Assert.All(m.Tasks, t => Assert.Equal(0.2, t.Scale));
    }

    [Fact]
    public void Richness_credits_false_negatives_one_over_k_minus_one_and_false_positives_zero()
    {
        // k = 4. Sample 0: label 0, pred 1. Sample 1: label 1, pred 1.
        double[] logits = [0, 1, 0, 0, 0, 1, 0, 0];
        SubsetMeasures m = ScarMeasures.Compute(logits, 2, 4, [0, 1], 1.0);
        Assert.Equal(((1.0 / 3.0) + 1.0) / 2.0, m.Tasks[0].Richness, 15); // FN scores 1/(k−1)
        Assert.Equal(0.5, m.Tasks[1].Richness); // FP scores 0
        Assert.Equal(1.0, m.Tasks[2].Richness);
        Assert.Equal(0.5, m.Tasks[0].Authenticity);
        Assert.Equal(0.5, m.Tasks[1].Authenticity);
        Assert.Equal(1.0, m.Tasks[3].Authenticity);
    }

    [Fact]
    public void Argmax_ties_go_to_the_first_index()
    {
        Assert.Equal(1, ScarMeasures.ArgMax([0.0, 2.0, 2.0, 1.0]));
        SubsetMeasures m = ScarMeasures.Compute([1.0, 1.0], 1, 2, [0], 1.0);
        Assert.Equal(1.0, m.TrainAccuracy);
    }

    [Fact]
    public void Hypothesis_hand_value()
    {
        var t = new TaskMeasures(0.5, 0.25, 0.8, 0.9);
        Assert.Equal(0.75 * Math.Exp(2 * 0.5 * 0.01), ScarMeasures.Hypothesis(t), 15);
        Assert.Equal(1.0, ScarMeasures.Hypothesis(new TaskMeasures(1, 0, 1, 1)));
    }

    [Fact]
    public void Compute_rejects_bad_arguments()
    {
        Assert.Throws<ArgumentException>(() => ScarMeasures.Compute(new double[5], 2, 3, [0, 1], 1.0));
        Assert.Throws<ArgumentException>(() => ScarMeasures.Compute(new double[6], 2, 3, [0, 3], 1.0));
        Assert.Throws<ArgumentException>(() => ScarMeasures.Compute(new double[6], 2, 3, [0], 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ScarMeasures.Compute(new double[6], 2, 3, [0, 1], 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => ScarMeasures.Compute(new double[2], 2, 1, [0, 0], 1.0));
        Assert.Throws<ArgumentException>(() => ScarMeasures.Compute([0, double.NaN, 0, 0, 0, 0], 2, 3, [0, 1], 1.0));
    }
}
