namespace Scar.Core.Distributed;

/// <summary>
/// Finds, across shards, the per-class key thresholds of a stratified subset (⌊n_c / r⌋ rows of class c with the
/// smallest keys), by narrowing 1024-bucket key histograms: usually two round trips, and no row list ever moves.
/// </summary>
public static class SubsetSelection
{
    private const int BitsPerLevel = 10;
    private const int FinalGatherAt = 256;

    /// <summary>The subset of <paramref name="poolPath"/> at <paramref name="ratio"/>; ratio 1 is the whole pool.</summary>
    public static async Task<SubsetSpec> SelectAsync(IReadOnlyList<IShardClient> shards, string poolPath, string labelsPath, ulong seed,
        int classes, int ratio, CancellationToken cancellationToken)
    {
        if (ratio == 1)
        {
            return new SubsetSpec(poolPath, labelsPath, seed, null, null);
        }

        int k = classes;
        var prefixes = new ulong[k];
        var active = Enumerable.Repeat(true, k).ToArray();
        var rank = new long[k];          // 1-based rank of the last included row within the current bucket
        var bucketSize = new long[k];
        var thresholdKeys = new ulong[k];
        var thresholdRows = new int[k];
        int prefixBits = 0;
        bool first = true;
        while (true)
        {
            long[] histogram = Sum(await ShardCalls.AllAsync(shards, s => s.KeyHistogramAsync(poolPath, labelsPath, seed, k, prefixBits, prefixes, active, cancellationToken)), k * 1024);
            for (int c = 0; c < k; c++)
            {
                if (!active[c])
                {
                    continue;
                }

                if (first)
                {
                    long n = 0;
                    for (int b = 0; b < 1024; b++)
                    {
                        n += histogram[(c * 1024) + b];
                    }

                    rank[c] = n / ratio;
                    if (rank[c] == 0)
                    {
                        (thresholdKeys[c], thresholdRows[c]) = SubsetKeys.None;
                        active[c] = false;
                        continue;
                    }
                }

                long cumulative = 0;
                for (int b = 0; b < 1024; b++)
                {
                    long h = histogram[(c * 1024) + b];
                    if (cumulative + h >= rank[c])
                    {
                        prefixes[c] = (prefixes[c] << BitsPerLevel) | (uint)b;
                        rank[c] -= cumulative;
                        bucketSize[c] = h;
                        break;
                    }

                    cumulative += h;
                }
            }

            first = false;
            prefixBits += BitsPerLevel;
            bool narrowMore = false;
            for (int c = 0; c < k; c++)
            {
                narrowMore |= active[c] && bucketSize[c] > FinalGatherAt;
            }

            if (!narrowMore || prefixBits + BitsPerLevel > 64)
            {
                break;
            }
        }

        if (active.Any(a => a))
        {
            var gathered = await ShardCalls.AllAsync(shards, s => s.KeysWithPrefixAsync(poolPath, labelsPath, seed, prefixBits, prefixes, active, cancellationToken));
            for (int c = 0; c < k; c++)
            {
                if (!active[c])
                {
                    continue;
                }

                var candidates = new List<(ulong Key, int Row)>();
                foreach (var part in gathered)
                {
                    for (int i = 0; i < part.Classes.Length; i++)
                    {
                        if (part.Classes[i] == c)
                        {
                            candidates.Add((part.Keys[i], part.Rows[i]));
                        }
                    }
                }

                candidates.Sort();
                (thresholdKeys[c], thresholdRows[c]) = candidates[(int)rank[c] - 1];
            }
        }

        return new SubsetSpec(poolPath, labelsPath, seed, thresholdKeys, thresholdRows);
    }

    private static long[] Sum(long[][] parts, int length)
    {
        var total = new long[length];
        foreach (var part in parts)
        {
            for (int i = 0; i < length; i++)
            {
                total[i] += part[i];
            }
        }

        return total;
    }
}
