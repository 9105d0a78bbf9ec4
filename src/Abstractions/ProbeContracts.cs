namespace Scar.Abstractions;

/// <summary>One probe training to run: files and numbers only, never embedding rows.</summary>
[GenerateSerializer, Immutable, Alias("Scar.ProbeRequest")]
public sealed record ProbeRequest(
    [property: Id(0)] string Id,
    [property: Id(1)] string EmbeddingsPath,
    [property: Id(2)] string LabelsPath,
    [property: Id(3)] string PoolPath,
    [property: Id(4)] string TestPath,
    [property: Id(5)] int Classes,
    [property: Id(6)] int Ratio,
    [property: Id(7)] int Repeat,
    [property: Id(8)] ulong Seed,
    [property: Id(9)] int MaxEpochs,
    [property: Id(10)] int Patience,
    [property: Id(11)] double LearningRate,
    [property: Id(12)] string JobId,
    [property: Id(13)] int ShardRows);

/// <summary>A probe training's measures and accuracies: O(k) numbers.</summary>
[GenerateSerializer, Immutable, Alias("Scar.ProbeResult")]
public sealed record ProbeResult(
    [property: Id(0)] string Id,
    [property: Id(1)] int Ratio,
    [property: Id(2)] int Repeat,
    [property: Id(3)] int SubsetSize,
    [property: Id(4)] int Epochs,
    [property: Id(5)] double TrainAccuracy,
    [property: Id(6)] double TestAccuracy,
    [property: Id(7)] double[] Scale,
    [property: Id(8)] double[] Coverage,
    [property: Id(9)] double[] Authenticity,
    [property: Id(10)] double[] Richness,
    [property: Id(11)] double[] TaskTestAccuracy);
