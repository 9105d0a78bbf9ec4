namespace Scar.Core.Pipeline;

/// <summary>One task's learning-curve point at one ratio: the measures averaged over the ratio's repeats, and h.</summary>
/// <param name="Ratio">Down-sampling ratio r.</param>
/// <param name="Scale">Mean Scale over repeats.</param>
/// <param name="Coverage">Mean Coverage over repeats.</param>
/// <param name="Authenticity">Mean Authenticity over repeats.</param>
/// <param name="Richness">Mean Richness over repeats.</param>
/// <param name="H">h = (1 − C)·exp(2·S·(R − A)²) of the averaged measures.</param>
public sealed record RatioPoint(int Ratio, double Scale, double Coverage, double Authenticity, double Richness, double H);

/// <summary>One pseudo-class's task: its learning curve, its fitted h_c and its FDS_c.</summary>
/// <param name="Class">Class index.</param>
/// <param name="TrainCount">Rows of this class in the estimate's set.</param>
/// <param name="H">h_c, the lower saturation fit's asymptote; null when the task had no usable point.</param>
/// <param name="Lambda">λ of that fit.</param>
/// <param name="Fds">FDS_c = ln(h_c/δ)/(2ε²); null with <see cref="H"/>.</param>
/// <param name="Error">Why the task has no h, if it has none.</param>
/// <param name="PerRatio">The learning curve, one point per ratio.</param>
public sealed record TaskEstimate(int Class, int TrainCount, double? H, double? Lambda, double? Fds, string? Error, IReadOnlyList<RatioPoint> PerRatio);

/// <summary>The reference FDS estimate of one set (SCAR-SPEC §5) with what it was computed from.</summary>
/// <param name="SetSize">Rows of the set (the training set, or the primary set).</param>
/// <param name="Total">Total FDS (or the fallback Σ FDS_c).</param>
/// <param name="X">The Bonferroni root x; null with the fallback.</param>
/// <param name="Rho">ρ.</param>
/// <param name="Fallback">True when no root was bracketed and Σ FDS_c was used.</param>
/// <param name="TrainAccuracy">Training accuracy of the full-set (r = 1) probe.</param>
/// <param name="TestAccuracy">Held-out accuracy of the full-set (r = 1) probe.</param>
/// <param name="Tasks">Per-task estimates.</param>
/// <param name="Outcomes">Every probe outcome, ordered by ratio then repeat.</param>
public sealed record FdsEstimate(
    int SetSize,
    double Total,
    double? X,
    double Rho,
    bool Fallback,
    double TrainAccuracy,
    double TestAccuracy,
    IReadOnlyList<TaskEstimate> Tasks,
    IReadOnlyList<ProbeOutcome> Outcomes);
