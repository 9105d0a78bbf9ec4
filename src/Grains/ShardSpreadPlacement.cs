using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace Scar.Grains;

/// <summary>
/// Places embedding shard grains round-robin over the compatible silos by shard index, so every silo holds about
/// the same number of shard rows (random or load-based placement put 5 of 6 shards on one silo of two when all
/// shards activate at once, before any load shows).
/// </summary>
[GenerateSerializer, Immutable, Alias("Scar.ShardSpreadPlacement")]
public sealed class ShardSpreadPlacement : PlacementStrategy
{
}

/// <summary>Marks the embedding shard grain for <see cref="ShardSpreadPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ShardSpreadPlacementAttribute : PlacementAttribute
{
    /// <summary>Creates the attribute.</summary>
    public ShardSpreadPlacementAttribute()
        : base(new ShardSpreadPlacement())
    {
    }
}

/// <summary>Shard i of a file goes to the (i mod n)-th compatible silo in address order.</summary>
public sealed class ShardSpreadPlacementDirector : IPlacementDirector
{
    /// <inheritdoc/>
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target);
        return Task.FromResult(Choose(silos, target.GrainIdentity.Key.ToString()!));
    }

    /// <summary>The silo for the shard grain keyed <paramref name="key"/> (see <see cref="ShardKeys"/>).</summary>
    public static SiloAddress Choose(IReadOnlyCollection<SiloAddress> silos, string key)
    {
        var ordered = silos.OrderBy(s => s.ToParsableString(), StringComparer.Ordinal).ToArray();
        if (ordered.Length == 0)
        {
            throw new OrleansException("no compatible silo for an embedding shard grain");
        }

        int index = ShardKeys.Index(key);
        return ordered[(index < 0 ? (int)((uint)StringComparer.Ordinal.GetHashCode(key) % (uint)ordered.Length) : index) % ordered.Length];
    }
}

/// <summary>Keys of embedding shard grains: <c>job|file|first row|row count|shard index</c>.</summary>
public static class ShardKeys
{
    /// <summary>The key of shard <paramref name="index"/> (rows start..start+count) of <paramref name="path"/> in job <paramref name="jobId"/>.</summary>
    public static string Key(string jobId, string path, long start, int count, int index) => $"{jobId}|{path}|{start}|{count}|{index}";

    /// <summary>The shard index a key ends with, or −1 when it has none.</summary>
    public static int Index(string key)
    {
        int bar = key.LastIndexOf('|');
        return bar >= 0 && int.TryParse(key.AsSpan(bar + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index) ? index : -1;
    }
}
