namespace Scar.Core.Distributed;

/// <summary>Fan-out helpers: call every shard at once, return the answers in shard order (the order sums are folded in).</summary>
public static class ShardCalls
{
    /// <summary>Calls <paramref name="call"/> on every shard concurrently; results come back in shard order.</summary>
    public static Task<T[]> AllAsync<T>(IReadOnlyList<IShardClient> shards, Func<IShardClient, Task<T>> call) =>
        Task.WhenAll(shards.Select(call));
}
