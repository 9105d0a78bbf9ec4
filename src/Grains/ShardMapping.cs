using Scar.Abstractions;
using Scar.Core.Distributed;
using Scar.Core.Numerics;

namespace Scar.Grains;

/// <summary>Maps Core's shard records to their wire forms and back.</summary>
internal static class ShardMapping
{
    public static ShardRange ToWire(this ShardSpec s) => new(s.Path, s.Start, s.Count);

    public static ShardSpec ToCore(this ShardRange s) => new(s.Path, s.Start, s.Count);

    public static SubsetWire ToWire(this SubsetSpec s) => new(s.PoolPath, s.LabelsPath, s.Seed, s.ThresholdKeys, s.ThresholdRows);

    public static SubsetSpec ToCore(this SubsetWire s) => new(s.PoolPath, s.LabelsPath, s.Seed, s.ThresholdKeys, s.ThresholdRows);

    public static GradientWire ToWire(this GradientSums g) => new(g.GradW, g.GradB, g.Loss, g.Correct);

    public static GradientSums ToCore(this GradientWire g) => new(g.GradW, g.GradB, g.Loss, g.Correct);

    public static MeasureStatsWire ToWire(this MeasureStats m) =>
        new(m.N, m.Correct, m.WrongEverywhere, m.Authentic, m.FalseNegatives, m.GroupCount, m.GroupMean, m.GroupM2, m.GroupMin, m.GroupMax);

    public static MeasureStats ToCore(this MeasureStatsWire m) =>
        new(m.N, m.Correct, m.WrongEverywhere, m.Authentic, m.FalseNegatives, m.GroupCount, m.GroupMean, m.GroupM2, m.GroupMin, m.GroupMax);

    public static TestStatsWire ToWire(this TestStats t) => new(t.N, t.Correct, t.TaskCorrect);

    public static TestStats ToCore(this TestStatsWire t) => new(t.N, t.Correct, t.TaskCorrect);

    public static KMeansPartialWire ToWire(this KMeansPartial p) => new(p.Sums, p.Counts, p.Inertia);

    public static KMeansPartial ToCore(this KMeansPartialWire p) => new(p.Sums, p.Counts, p.Inertia);

    public static ShardRowsWire ToWire(this ShardRows r) => new(r.Rows, r.Vectors, r.Distances, r.Labels);

    public static ShardRows ToCore(this ShardRowsWire r) => new(r.Rows, r.Vectors, r.Distances, r.Labels);

    public static ShardMomentsWire ToWire(this ShardMoments m) => new(m.Count, m.Sum, m.SumOfSquares);

    public static ShardMoments ToCore(this ShardMomentsWire m) => new(m.Count, m.Sum, m.SumOfSquares);

    public static KeyedRowsWire ToWire(this KeyedRows k) => new(k.Classes, k.Keys, k.Rows);

    public static KeyedRows ToCore(this KeyedRowsWire k) => new(k.Classes, k.Keys, k.Rows);
}
