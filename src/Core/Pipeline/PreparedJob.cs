namespace Scar.Core.Pipeline;

/// <summary>
/// One modality after preparation: the files its probes read (all checkpointed in the job's work folder) and
/// how it is labelled.
/// </summary>
/// <param name="Name">Modality name.</param>
/// <param name="Index">Position among the job's modalities (seeds derive from it).</param>
/// <param name="SupervisedBy">"clusters of NAME" or "labels".</param>
/// <param name="EmbeddingsPath">Item-level embeddings the probes read (the input file, or the mean of each item's captions).</param>
/// <param name="Dim">Embedding width.</param>
/// <param name="LabelsPath">One label per item.</param>
/// <param name="PrimaryPath">Primary rows of data completion (SCAR-SPEC §7).</param>
/// <param name="ReservePath">Reserve rows of data completion.</param>
/// <param name="TrainClassCounts">Items per class in the training split.</param>
/// <param name="PrimaryClassCounts">Items per class in the primary set.</param>
/// <param name="ReserveClassCounts">Items per class in the reserve set.</param>
public sealed record PreparedModality(
    string Name,
    int Index,
    string SupervisedBy,
    string EmbeddingsPath,
    int Dim,
    string LabelsPath,
    string PrimaryPath,
    string ReservePath,
    int[] TrainClassCounts,
    int[] PrimaryClassCounts,
    int[] ReserveClassCounts);

/// <summary>k-means summary of one modality's clustering.</summary>
/// <param name="Modality">The clustered modality.</param>
/// <param name="Rows">Rows clustered (captions one by one).</param>
/// <param name="Iterations">Lloyd iterations run.</param>
/// <param name="Converged">Whether the tolerance was reached.</param>
/// <param name="Inertia">Final objective.</param>
/// <param name="ClusterSizes">Rows per cluster.</param>
/// <param name="Objective">Objective (inertia) at each Lloyd iteration.</param>
/// <param name="Imbalance">Largest cluster over the mean cluster size at each iteration.</param>
/// <param name="EmptySplits">Empty clusters re-seeded at each iteration.</param>
public sealed record ClusteringSummary(string Modality, int Rows, int Iterations, bool Converged, double Inertia, int[] ClusterSizes,
    double[] Objective, double[] Imbalance, int[] EmptySplits);

/// <summary>The result of the preparation stage: everything the probe stages need, as files and counts.</summary>
/// <param name="Items">Number of items (pairs) N.</param>
/// <param name="Classes">k.</param>
/// <param name="TrainPath">Training rows (item indices).</param>
/// <param name="TestPath">Held-out rows.</param>
/// <param name="TrainCount">Training items.</param>
/// <param name="TestCount">Held-out items.</param>
/// <param name="Modalities">The two modalities.</param>
/// <param name="Clustering">k-means summaries (empty with ground-truth labels).</param>
public sealed record PreparedJob(
    int Items,
    int Classes,
    string TrainPath,
    string TestPath,
    int TrainCount,
    int TestCount,
    IReadOnlyList<PreparedModality> Modalities,
    IReadOnlyList<ClusteringSummary> Clustering);
