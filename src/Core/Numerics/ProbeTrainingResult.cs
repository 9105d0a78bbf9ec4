namespace Scar.Core.Numerics;

/// <summary>The outcome of <see cref="ProbeTrainer.Train"/>: what the reference records on the training (sub)set.</summary>
/// <param name="Model">The final epoch's weights (no restore of the best epoch, as the reference).</param>
/// <param name="Epochs">Epochs run, including the one that triggered early stopping.</param>
/// <param name="TrainLogits">Logits of the training rows with the final weights, rows × classes row-major.</param>
/// <param name="TrainPredictions">Argmax of <paramref name="TrainLogits"/> (ties to the lowest class).</param>
/// <param name="TrainAccuracy">Accuracy of <paramref name="TrainPredictions"/> against the training labels.</param>
/// <param name="LossHistory">Mean cross-entropy of each epoch's forward pass (before its update).</param>
/// <param name="AccuracyHistory">Training accuracy of each epoch's forward pass (before its update).</param>
public sealed record ProbeTrainingResult(
    ProbeModel Model, int Epochs, float[] TrainLogits, int[] TrainPredictions, double TrainAccuracy,
    IReadOnlyList<double> LossHistory, IReadOnlyList<double> AccuracyHistory);
