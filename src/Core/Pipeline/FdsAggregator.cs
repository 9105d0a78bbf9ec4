using Scar.Core.Measures;

namespace Scar.Core.Pipeline;

/// <summary>Reduces one set's probe outcomes to per-task h, FDS_c and the total FDS (SCAR-SPEC §5).</summary>
public static class FdsAggregator
{
    /// <summary>
    /// Averages each measure over a ratio's repeats, computes h per task and ratio, fits the lower saturation
    /// curve per task, and solves the total bound. A task without a usable point is reported, not fatal.
    /// </summary>
    public static FdsEstimate Aggregate(IReadOnlyList<ProbeOutcome> outcomes, int classes, int[] classCounts, CharacterizeOptions options)
    {
        if (outcomes.Count == 0)
        {
            throw new InvalidOperationException("no probe outcomes to aggregate");
        }

        var ordered = outcomes.OrderBy(o => o.Ratio).ThenBy(o => o.Repeat).ToArray();
        int[] ratios = ordered.Select(o => o.Ratio).Distinct().ToArray();
        if (ratios[0] != 1)
        {
            throw new InvalidOperationException("the estimate needs the full-set probe (ratio 1) for rho");
        }

        var averaged = ratios.Select(r => LearningCurve.Average(ordered.Where(o => o.Ratio == r).Select(ToMeasures).ToArray())).ToArray();
        var hypotheses = LearningCurve.PerTaskH(ratios.Select(r => (double)r).ToArray(), averaged);

        var tasks = new TaskEstimate[classes];
        var hs = new List<double>(classes);
        for (int c = 0; c < classes; c++)
        {
            var curve = new RatioPoint[ratios.Length];
            for (int j = 0; j < ratios.Length; j++)
            {
                TaskMeasures m = averaged[j].Tasks[c];
                curve[j] = new RatioPoint(ratios[j], m.Scale, m.Coverage, m.Authenticity, m.Richness, ScarMeasures.Hypothesis(m));
            }

            TaskHypothesis h = hypotheses[c];
            double? fds = h.H is { } hc ? FoundationDataSize.PerTask(hc, options.Delta, options.Epsilon) : null;
            tasks[c] = new TaskEstimate(c, classCounts[c], h.H, h.Fit?.Lambda, fds, h.Error, curve);
            if (h.H is { } value)
            {
                hs.Add(value);
            }
        }

        var full = ordered.Where(o => o.Ratio == 1).ToArray();
        double rho = LearningCurve.RhoAtR1(averaged[0]);
        double testAccuracy = full.Average(o => o.TestAccuracy);
        int setSize = full[0].SubsetSize;
        if (hs.Count == 0)
        {
            return new FdsEstimate(setSize, double.NaN, null, rho, true, averaged[0].TrainAccuracy, testAccuracy, tasks, ordered);
        }

        FdsResult total = FoundationDataSize.Total(hs.ToArray(), rho, options.Delta, options.Epsilon, options.DeltaE, options.BonferroniOrder);
        return new FdsEstimate(setSize, total.Total, total.Fallback ? null : total.X, rho, total.Fallback, averaged[0].TrainAccuracy, testAccuracy, tasks, ordered);
    }

    private static SubsetMeasures ToMeasures(ProbeOutcome o)
    {
        var tasks = new TaskMeasures[o.Scale.Length];
        for (int c = 0; c < tasks.Length; c++)
        {
            tasks[c] = new TaskMeasures(o.Scale[c], o.Coverage[c], o.Authenticity[c], o.Richness[c]);
        }

        return new SubsetMeasures(o.TrainAccuracy, tasks);
    }
}
