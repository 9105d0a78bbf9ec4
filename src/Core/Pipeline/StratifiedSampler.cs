using Scar.Core.Distributed;

namespace Scar.Core.Pipeline;

/// <summary>Stratified down-sampling of SCAR-SPEC §5: ⌊n_c / r⌋ rows of each class, without replacement.</summary>
public static class StratifiedSampler
{
    /// <summary>
    /// The subset of <paramref name="pool"/> at <paramref name="ratio"/>: for each class c (labels[row]), the
    /// ⌊n_c / ratio⌋ rows of smallest (<see cref="SubsetKeys.Key"/>(keySeed, row), row), which is a uniform draw
    /// without replacement. Exactly the rows the sharded trainer selects by key thresholds; ratio 1 is the whole
    /// pool. Rows come out ascending.
    /// </summary>
    public static int[] Sample(ReadOnlySpan<int> pool, ReadOnlySpan<int> labels, int classes, int ratio, ulong keySeed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ratio, 1);
        if (ratio == 1)
        {
            return pool.ToArray();
        }

        var result = new List<int>(pool.Length / ratio + classes);
        foreach (var members in GroupByClass(pool, labels, classes))
        {
            int take = members.Count / ratio;
            result.AddRange(members.OrderBy(row => SubsetKeys.Key(keySeed, row)).ThenBy(row => row).Take(take));
        }

        result.Sort();
        return [.. result];
    }

    /// <summary>The pool's rows split by class, each list in pool order.</summary>
    public static List<int>[] GroupByClass(ReadOnlySpan<int> pool, ReadOnlySpan<int> labels, int classes)
    {
        var byClass = new List<int>[classes];
        for (int c = 0; c < classes; c++)
        {
            byClass[c] = [];
        }

        foreach (int row in pool)
        {
            byClass[labels[row]].Add(row);
        }

        return byClass;
    }
}
