using Scar.Core.Numerics;

namespace Scar.Core.Pipeline;

/// <summary>Stratified down-sampling of SCAR-SPEC §5: ⌊n_c / r⌋ rows of each class, without replacement.</summary>
public static class StratifiedSampler
{
    /// <summary>
    /// Draws from <paramref name="pool"/> (row indices) ⌊n_c / <paramref name="ratio"/>⌋ rows of each class c,
    /// where <paramref name="labels"/>[row] is the row's class. Rows come out grouped by class, each class in
    /// draw order; ratio 1 returns the whole pool in its own order.
    /// </summary>
    public static int[] Sample(ReadOnlySpan<int> pool, ReadOnlySpan<int> labels, int classes, int ratio, DeterministicRandom random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ratio, 1);
        if (ratio == 1)
        {
            return pool.ToArray();
        }

        var byClass = GroupByClass(pool, labels, classes);
        var result = new List<int>(pool.Length / ratio + classes);
        foreach (var members in byClass)
        {
            int take = members.Count / ratio;
            var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(members);
            // Partial Fisher–Yates: the first `take` slots become a uniform draw without replacement.
            for (int i = 0; i < take; i++)
            {
                int j = i + random.NextInt(span.Length - i);
                (span[i], span[j]) = (span[j], span[i]);
                result.Add(span[i]);
            }
        }

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
