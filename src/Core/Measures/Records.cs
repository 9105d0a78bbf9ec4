namespace Scar.Core.Measures;

/// <summary>
/// The four SCAR measures of one one-vs-rest task on one (sub)set (SCAR-SPEC §4).
/// </summary>
/// <param name="Scale">((n − |F|)/n)/r, F = samples wrong on every task.</param>
/// <param name="Coverage">Mean of 1 − JSD over the true-positive and false-positive score groups.</param>
/// <param name="Authenticity">One-vs-rest accuracy of the task.</param>
/// <param name="Richness">Per-sample credit averaged over samples (1 if right, else the other tasks' mean prediction).</param>
public sealed record TaskMeasures(double Scale, double Coverage, double Authenticity, double Richness);

/// <summary>The per-task measures of one probe on one (sub)set, with its multi-class training accuracy.</summary>
/// <param name="TrainAccuracy">Mean of argmax == label over the (sub)set.</param>
/// <param name="Tasks">One entry per class c (index = class id).</param>
public sealed record SubsetMeasures(double TrainAccuracy, IReadOnlyList<TaskMeasures> Tasks);

/// <summary>The lower saturation fit y = a·(1 − e^(−λx)) of SCAR-SPEC §5.</summary>
/// <param name="A">The fitted ceiling a (= the task's h).</param>
/// <param name="Lambda">The grid λ that gave the largest a.</param>
/// <param name="UsedPoints">How many points survived the x ≤ 0, y ≤ 0, NaN filter.</param>
public sealed record SaturationFitResult(double A, double Lambda, int UsedPoints);

/// <summary>The total Foundation Data Size of SCAR-SPEC §5.</summary>
/// <param name="X">The root x of the Bonferroni equation; NaN when the fallback was used.</param>
/// <param name="Total">ln(ρ)·x/ε², or Σ_c FDS_c when <paramref name="Fallback"/> is true.</param>
/// <param name="PerTask">FDS_c = ln(h_c/δ)/(2ε²) per task.</param>
/// <param name="Fallback">True when Brent's method found no bracketed root and the per-task sum was used.</param>
/// <param name="Rho">The ρ that scaled x.</param>
public sealed record FdsResult(double X, double Total, IReadOnlyList<double> PerTask, bool Fallback, double Rho);

/// <summary>The content of a conformance-style FDS input file (SCAR-SPEC §5).</summary>
/// <param name="Rho">ρ ≥ 1.</param>
/// <param name="H">Per-task h values, all finite and &gt; 0.</param>
/// <param name="Delta">δ of the per-task bound.</param>
/// <param name="Epsilon">ε of the per-task bound.</param>
/// <param name="DeltaE">δ_E of the Bonferroni equation.</param>
/// <param name="Order">Bonferroni order M.</param>
public sealed record FdsInput(double Rho, IReadOnlyList<double> H, double Delta, double Epsilon, double DeltaE, int Order);

/// <summary>One probe output to measure: row-major n×k logits, n labels and the down-sampling ratio.</summary>
/// <param name="Ratio">Down-sampling ratio r ≥ 1.</param>
/// <param name="Labels">n labels in [0, k).</param>
/// <param name="Logits">n×k logits, row-major.</param>
/// <param name="N">Number of samples.</param>
/// <param name="K">Number of classes (≥ 2).</param>
public sealed record MeasuresInput(double Ratio, int[] Labels, double[] Logits, int N, int K);
