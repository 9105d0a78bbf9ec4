using Scar.Core.Numerics;
using Scar.Core.Report;

namespace Scar.Core.Pipeline;

/// <summary>Turns estimates and completion outcomes into the report's records (SCAR-SPEC §6–§7).</summary>
public static class ReportBuilder
{
    /// <summary>One modality's report section.</summary>
    public static ModalityReport Modality(PreparedModality m, FdsEstimate total, FdsEstimate primary, CompletionPlan plan, IReadOnlyList<ProbeOutcome> arms,
        CharacterizeOptions options)
    {
        var lc = LearningCurves(total, options, DeterministicRandom.Derive(options.Seed, "learning-curve", m.Index));
        double? fds = double.IsFinite(total.Total) ? total.Total : null;
        int n = total.SetSize;
        var scar = fds is { } f && f > 0
            ? ToReport(Measures.DatasetScar.Compute(n, f, total.TestAccuracy, plan.PrimarySize + plan.Added))
            : new DatasetScarReport(null, null, total.TestAccuracy, null);

        var completion = new CompletionReport(plan.PrimarySize, plan.ReserveSize,
            double.IsFinite(primary.Total) ? primary.Total : null, primary.Fallback, plan.Budget, plan.Added, plan.AddedPerClass,
            plan.RandomAdded, plan.ClasswiseAdded, arms[0].TestAccuracy, arms[1].TestAccuracy, arms[2].TestAccuracy, arms[3].TestAccuracy);

        var tasks = total.Tasks.Select(t => new TaskReport(t.Class, t.TrainCount, t.H, t.Lambda, t.Fds, t.Error, t.PerRatio) { FdsLearningCurve = lc[1 + t.Class] }).ToArray();
        var curve = total.Outcomes.Select(o => new CurvePoint(o.Ratio, o.Repeat, o.SubsetSize, o.Epochs, o.TrainAccuracy, o.TestAccuracy)).ToArray();
        return new ModalityReport(m.Name, m.Dim, m.SupervisedBy, n, fds, total.Fallback, total.X, total.Rho, total.TrainAccuracy,
            total.TestAccuracy, tasks, scar, completion, curve) { FdsLearningCurve = lc[0] };
    }

    /// <summary>FDS_lc of the whole probe (index 0) and of each task (1 + class) over the estimate's probes (SCAR-SPEC §5b).</summary>
    public static LearningCurveFds[] LearningCurves(FdsEstimate total, CharacterizeOptions options, ulong seed)
    {
        var o = total.Outcomes;
        int k = total.Tasks.Count;
        var targets = new List<double[]> { o.Select(p => p.TestAccuracy).ToArray() };
        for (int c = 0; c < k; c++)
        {
            targets.Add(o.Select(p => p.TaskTestAccuracy[c]).ToArray());
        }

        return LearningCurveFit.Estimate(o.Select(p => p.Ratio).ToArray(), o.Select(p => (double)p.SubsetSize).ToArray(), targets,
            options.EpsilonAcc, options.BootstrapResamples, seed);
    }

    private static DatasetScarReport ToReport(Measures.DatasetScarValues v) => new(v.Scale, v.Coverage, v.Authenticity, v.Richness);
}
