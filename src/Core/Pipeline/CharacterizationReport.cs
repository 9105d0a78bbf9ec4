using System.Text.Json.Serialization;
using Scar.Core.Report;

namespace Scar.Core.Pipeline;

/// <summary>The machine-readable result of a job: what <c>report.json</c> holds. Same inputs and seed, same bytes.</summary>
public sealed record CharacterizationReport(
    string Tool,
    int N,
    int K,
    ulong Seed,
    double TestFraction,
    int TrainSize,
    int TestSize,
    IReadOnlyList<int> Ratios,
    string FdsEstimator,
    IReadOnlyList<ClusteringSummary> Clustering,
    IReadOnlyList<ModalityReport> Modalities)
{
    /// <summary>Mean and range over the repeats of the whole characterization (only with more than one repeat).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RepeatsSummary? Repeats { get; init; }
}

/// <summary>One modality's characterization, supervised by the other modality's clusters (or by labels).</summary>
public sealed record ModalityReport(
    string Name,
    int Dim,
    string SupervisedBy,
    int NTrain,
    double? FdsTotal,
    bool FdsFallback,
    double? FdsX,
    double Rho,
    double TrainAccuracy,
    double TestAccuracy,
    IReadOnlyList<TaskReport> Tasks,
    DatasetScarReport DatasetScar,
    CompletionReport Completion,
    IReadOnlyList<CurvePoint> LearningCurve)
{
    /// <summary>The learning-curve FDS of the whole probe (SCAR-SPEC §5b), beside the reference <see cref="FdsTotal"/>.</summary>
    public LearningCurveFds? FdsLearningCurve { get; init; }
}

/// <summary>One pseudo-class's task.</summary>
public sealed record TaskReport(int Class, int NTrain, double? H, double? Lambda, double? Fds, string? Error, IReadOnlyList<RatioPoint> PerRatio)
{
    /// <summary>The learning-curve FDS of this one-vs-rest task (SCAR-SPEC §5b), beside the reference <see cref="Fds"/>.</summary>
    public LearningCurveFds? FdsLearningCurve { get; init; }
}

/// <summary>Dataset-level S, C, A, R (SCAR-SPEC §6).</summary>
public sealed record DatasetScarReport(double? Scale, double? Coverage, double Authenticity, double? Richness);

/// <summary>SCAR-guided completion against its baselines (SCAR-SPEC §7).</summary>
public sealed record CompletionReport(
    int PrimarySize,
    int ReserveSize,
    double? FdsPrimaryTotal,
    bool FdsPrimaryFallback,
    double Budget,
    int Added,
    IReadOnlyList<int> AddedPerClass,
    int RandomAdded,
    int ClasswiseAdded,
    double PrimaryAccuracy,
    double ScarAccuracy,
    double RandomAccuracy,
    double ClasswiseAccuracy);

/// <summary>One probe of the total set's learning curve: subset size against accuracies.</summary>
public sealed record CurvePoint(int Ratio, int Repeat, int SubsetSize, int Epochs, double TrainAccuracy, double TestAccuracy);
