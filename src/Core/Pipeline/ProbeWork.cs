namespace Scar.Core.Pipeline;

/// <summary>
/// One probe training of a learning curve (SCAR-SPEC §5): which rows it may draw from, at which ratio and repeat,
/// with which seed. Only paths and numbers: the rows themselves stay in files every worker can read.
/// </summary>
/// <param name="Id">Stable id, such as "image/total/r5/3"; also the probe grain's key.</param>
/// <param name="EmbeddingsPath">Float .npy of the probe's input rows.</param>
/// <param name="LabelsPath">Int .npy of one label per embedding row.</param>
/// <param name="PoolPath">Int .npy of the row indices the subset is drawn from (the training set, or the primary set).</param>
/// <param name="TestPath">Int .npy of the held-out row indices.</param>
/// <param name="Classes">Number of classes k.</param>
/// <param name="Ratio">Down-sampling ratio r: ⌊n_c / r⌋ rows of each class are drawn without replacement.</param>
/// <param name="Repeat">Repeat index within the ratio.</param>
/// <param name="Seed">Seed of the subset draw and of the probe's initial weights.</param>
public sealed record ProbeWork(
    string Id,
    string EmbeddingsPath,
    string LabelsPath,
    string PoolPath,
    string TestPath,
    int Classes,
    int Ratio,
    int Repeat,
    ulong Seed);

/// <summary>
/// What one probe training returns: the per-task measures of its training subset and its accuracies. A few
/// numbers per class, whatever the subset's size.
/// </summary>
/// <param name="Id">The work item's id.</param>
/// <param name="Ratio">Its ratio.</param>
/// <param name="Repeat">Its repeat.</param>
/// <param name="SubsetSize">Rows it trained on.</param>
/// <param name="Epochs">Epochs run before the early stop.</param>
/// <param name="TrainAccuracy">Multi-class accuracy on its training subset, with the final weights.</param>
/// <param name="TestAccuracy">Multi-class accuracy on the held-out rows.</param>
/// <param name="Scale">Per-task Scale.</param>
/// <param name="Coverage">Per-task Coverage.</param>
/// <param name="Authenticity">Per-task Authenticity.</param>
/// <param name="Richness">Per-task Richness.</param>
/// <param name="TaskTestAccuracy">Per-task one-vs-rest accuracy on the held-out rows.</param>
public sealed record ProbeOutcome(
    string Id,
    int Ratio,
    int Repeat,
    int SubsetSize,
    int Epochs,
    double TrainAccuracy,
    double TestAccuracy,
    double[] Scale,
    double[] Coverage,
    double[] Authenticity,
    double[] Richness,
    double[] TaskTestAccuracy);
