namespace Scar.Core.Distributed;

/// <summary>
/// A probe's training subset, described without listing its rows: the pool file, the labels file, the seed of the
/// per-row keys, and per class the largest (key, row) included. Every shard derives its own rows from it.
/// </summary>
/// <param name="PoolPath">Int .npy of the pool's row indices.</param>
/// <param name="LabelsPath">Int .npy of one label per row.</param>
/// <param name="Seed">Seed of the per-row keys.</param>
/// <param name="ThresholdKeys">Per class, the key of the last included row; null takes the whole pool.</param>
/// <param name="ThresholdRows">Per class, the row of the last included row (ties of keys go by row).</param>
public sealed record SubsetSpec(string PoolPath, string LabelsPath, ulong Seed, ulong[]? ThresholdKeys, int[]? ThresholdRows)
{
    /// <summary>A cache key naming this subset.</summary>
    public string CacheKey { get; } = ThresholdKeys is null
        ? $"{PoolPath}|{LabelsPath}|all"
        : $"{PoolPath}|{LabelsPath}|{Seed}|{string.Join(',', ThresholdKeys)}|{string.Join(',', ThresholdRows!)}";
}

/// <summary>
/// Stratified down-sampling by random keys (SCAR-SPEC §5: ⌊n_c / r⌋ rows of each class, uniformly, without
/// replacement): each row gets a key hashed from the seed and its index, and class c keeps its ⌊n_c / r⌋ rows of
/// smallest (key, row). The same subset results wherever the rows are.
/// </summary>
public static class SubsetKeys
{
    /// <summary>The key of <paramref name="row"/> under <paramref name="seed"/>.</summary>
    public static ulong Key(ulong seed, int row)
    {
        ulong z = seed + (0x9E3779B97F4A7C15UL * (ulong)(row + 1));
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Whether (key, row) is at or below the threshold (thresholdKey, thresholdRow).</summary>
    public static bool Includes(ulong key, int row, ulong thresholdKey, int thresholdRow) =>
        key < thresholdKey || (key == thresholdKey && row <= thresholdRow);

    /// <summary>The threshold that includes no row.</summary>
    public static (ulong Key, int Row) None => (0UL, -1);

    /// <summary>The threshold that includes every row.</summary>
    public static (ulong Key, int Row) All => (ulong.MaxValue, int.MaxValue);
}
