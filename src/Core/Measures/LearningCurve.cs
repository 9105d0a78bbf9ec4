namespace Scar.Core.Measures;

/// <summary>One task's h from the saturation fit, or the reason it could not be fitted.</summary>
/// <param name="H">The fitted h (= a of the lower fit), or null when the task failed.</param>
/// <param name="Fit">The fit, or null when the task failed.</param>
/// <param name="Error">Why the task has no h (no usable point), or null.</param>
public sealed record TaskHypothesis(double? H, SaturationFitResult? Fit, string? Error);

/// <summary>
/// The learning-curve side of SCAR-SPEC §5 that follows the probes: averaging repeats per ratio, h per ratio,
/// the per-task saturation fit over ratios and ρ at r = 1. Training the probes is elsewhere.
/// </summary>
public static class LearningCurve
{
    /// <summary>The reference's down-sampling ratios r.</summary>
    public static IReadOnlyList<int> Ratios { get; } = [1, 2, 5, 10, 15, 20, 30];

    /// <summary>Averages each measure, and the training accuracy, over the repeats of one ratio.</summary>
    /// <exception cref="ArgumentException">No repeats, or repeats with different task counts.</exception>
    public static SubsetMeasures Average(IReadOnlyList<SubsetMeasures> repeats)
    {
        ArgumentNullException.ThrowIfNull(repeats);
        if (repeats.Count == 0)
        {
            throw new ArgumentException("at least one repeat is needed.", nameof(repeats));
        }

        int k = repeats[0].Tasks.Count;
        double accuracy = 0;
        double[] scale = new double[k];
        double[] coverage = new double[k];
        double[] authenticity = new double[k];
        double[] richness = new double[k];
        foreach (SubsetMeasures repeat in repeats)
        {
            if (repeat.Tasks.Count != k)
            {
                throw new ArgumentException($"repeats have {repeat.Tasks.Count} and {k} tasks; all must have the same k.", nameof(repeats));
            }

            accuracy += repeat.TrainAccuracy;
            for (int c = 0; c < k; c++)
            {
                TaskMeasures t = repeat.Tasks[c];
                scale[c] += t.Scale;
                coverage[c] += t.Coverage;
                authenticity[c] += t.Authenticity;
                richness[c] += t.Richness;
            }
        }

        int r = repeats.Count;
        var tasks = new TaskMeasures[k];
        for (int c = 0; c < k; c++)
        {
            tasks[c] = new TaskMeasures(scale[c] / r, coverage[c] / r, authenticity[c] / r, richness[c] / r);
        }

        return new SubsetMeasures(accuracy / r, tasks);
    }

    /// <summary>
    /// Per task: the points (x = 1/r, y = h(averaged measures at r)) and their lower saturation fit. A task with
    /// no usable point gets an <see cref="TaskHypothesis.Error"/> instead of an exception.
    /// </summary>
    /// <param name="ratios">The ratio of each entry of <paramref name="averagedPerRatio"/>.</param>
    /// <param name="averagedPerRatio">The averaged measures at each ratio (see <see cref="Average"/>).</param>
    public static IReadOnlyList<TaskHypothesis> PerTaskH(IReadOnlyList<double> ratios, IReadOnlyList<SubsetMeasures> averagedPerRatio)
    {
        ArgumentNullException.ThrowIfNull(ratios);
        ArgumentNullException.ThrowIfNull(averagedPerRatio);
        if (ratios.Count != averagedPerRatio.Count || ratios.Count == 0)
        {
            throw new ArgumentException("give one averaged measure set per ratio, at least one.", nameof(averagedPerRatio));
        }

        int k = averagedPerRatio[0].Tasks.Count;
        var result = new TaskHypothesis[k];
        double[] x = new double[ratios.Count];
        double[] y = new double[ratios.Count];
        for (int c = 0; c < k; c++)
        {
            for (int j = 0; j < ratios.Count; j++)
            {
                x[j] = 1.0 / ratios[j];
                y[j] = ScarMeasures.Hypothesis(averagedPerRatio[j].Tasks[c]);
            }

            try
            {
                SaturationFitResult fit = SaturationFit.FitLower(x, y);
                result[c] = new TaskHypothesis(fit.A, fit, null);
            }
            catch (InvalidOperationException ex)
            {
                // SPEC §5: a task without a usable point is reported for that task, not a crash.
                result[c] = new TaskHypothesis(null, null, $"task {c}: {ex.Message}");
            }
        }

        return result;
    }

    /// <summary>ρ from the averaged measures at r = 1: <see cref="FoundationDataSize.Rho"/> of its accuracy and mean authenticity.</summary>
    public static double RhoAtR1(SubsetMeasures averagedAtR1)
    {
        ArgumentNullException.ThrowIfNull(averagedAtR1);
        double sum = 0;
        foreach (TaskMeasures t in averagedAtR1.Tasks)
        {
            sum += t.Authenticity;
        }

        return FoundationDataSize.Rho(averagedAtR1.TrainAccuracy, sum / averagedAtR1.Tasks.Count);
    }
}
