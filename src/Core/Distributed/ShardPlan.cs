namespace Scar.Core.Distributed;

/// <summary>One shard: a range of rows of an embeddings file that every worker can read.</summary>
/// <param name="Path">The .npy file.</param>
/// <param name="Start">First row.</param>
/// <param name="Count">Rows in the shard.</param>
public sealed record ShardSpec(string Path, long Start, int Count);

/// <summary>Splits a file's rows into shards. The split depends on the row count and the shard size only, never on the number of workers, so results do not either.</summary>
public static class ShardPlan
{
    /// <summary>Default rows per shard: a shard's labels (4 bytes a row) stay well under the 4 MB message guard.</summary>
    public const int DefaultShardRows = 131_072;

    /// <summary>Row ranges of at most <paramref name="shardRows"/> rows covering <paramref name="rows"/> rows, in order.</summary>
    public static IReadOnlyList<ShardSpec> Plan(string path, long rows, int shardRows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardRows, 1);
        var shards = new List<ShardSpec>((int)((rows + shardRows - 1) / shardRows));
        for (long start = 0; start < rows; start += shardRows)
        {
            shards.Add(new ShardSpec(path, start, (int)Math.Min(shardRows, rows - start)));
        }

        return shards;
    }
}
