namespace Scar.Abstractions;

// Wire forms of the shard map steps' inputs and partial results (Core's Scar.Core.Distributed records).
// O(k·d) numbers each: embedding rows never travel. Field ids are part of the wire format: never renumber them.

/// <summary>A range of rows of an embeddings file.</summary>
[GenerateSerializer, Immutable, Alias("Scar.ShardRange")]
public sealed record ShardRange([property: Id(0)] string Path, [property: Id(1)] long Start, [property: Id(2)] int Count);

/// <summary>A probe's subset: pool and labels files, key seed, per-class thresholds (null = whole pool).</summary>
[GenerateSerializer, Immutable, Alias("Scar.SubsetWire")]
public sealed record SubsetWire(
    [property: Id(0)] string PoolPath,
    [property: Id(1)] string LabelsPath,
    [property: Id(2)] ulong Seed,
    [property: Id(3)] ulong[]? ThresholdKeys,
    [property: Id(4)] int[]? ThresholdRows);

/// <summary>A shard's gradient partial.</summary>
[GenerateSerializer, Immutable, Alias("Scar.GradientWire")]
public sealed record GradientWire([property: Id(0)] double[] GradW, [property: Id(1)] double[] GradB, [property: Id(2)] double Loss, [property: Id(3)] long Correct);

/// <summary>A shard's first-pass measure statistics.</summary>
[GenerateSerializer, Immutable, Alias("Scar.MeasureStatsWire")]
public sealed record MeasureStatsWire(
    [property: Id(0)] long N,
    [property: Id(1)] long Correct,
    [property: Id(2)] long WrongEverywhere,
    [property: Id(3)] long[] Authentic,
    [property: Id(4)] long[] FalseNegatives,
    [property: Id(5)] long[] GroupCount,
    [property: Id(6)] double[] GroupMean,
    [property: Id(7)] double[] GroupM2,
    [property: Id(8)] double[] GroupMin,
    [property: Id(9)] double[] GroupMax);

/// <summary>A shard's held-out counts.</summary>
[GenerateSerializer, Immutable, Alias("Scar.TestStatsWire")]
public sealed record TestStatsWire([property: Id(0)] long N, [property: Id(1)] long Correct, [property: Id(2)] long[] TaskCorrect);

/// <summary>A shard's k-means partial.</summary>
[GenerateSerializer, Immutable, Alias("Scar.KMeansPartialWire")]
public sealed record KMeansPartialWire([property: Id(0)] double[] Sums, [property: Id(1)] long[] Counts, [property: Id(2)] double Inertia);

/// <summary>A few rows picked by a shard (k-means++ candidates, farthest rows).</summary>
[GenerateSerializer, Immutable, Alias("Scar.ShardRowsWire")]
public sealed record ShardRowsWire([property: Id(0)] long[] Rows, [property: Id(1)] float[] Vectors, [property: Id(2)] double[] Distances, [property: Id(3)] int[] Labels);

/// <summary>A shard's per-dimension sums.</summary>
[GenerateSerializer, Immutable, Alias("Scar.ShardMomentsWire")]
public sealed record ShardMomentsWire([property: Id(0)] long Count, [property: Id(1)] double[] Sum, [property: Id(2)] double[] SumOfSquares);

/// <summary>Pool rows with their subset keys.</summary>
[GenerateSerializer, Immutable, Alias("Scar.KeyedRowsWire")]
public sealed record KeyedRowsWire([property: Id(0)] int[] Classes, [property: Id(1)] ulong[] Keys, [property: Id(2)] int[] Rows);
