using Orleans.Placement;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;

namespace Scar.Grains;

/// <summary>
/// Silo metadata key saying whether a silo can run ONNX Runtime's CUDA provider ("cuda") or not ("none"); set by
/// <c>AddScar</c> from the CUDA libraries the silo can load.
/// </summary>
public static class AcceleratorMetadata
{
    /// <summary>The metadata key.</summary>
    public const string Key = "scar.accelerator";
}

/// <summary>Places a grain on a silo with an accelerator when any compatible silo has one (else anywhere).</summary>
[GenerateSerializer, Immutable, Alias("Scar.AcceleratorPlacementFilterStrategy")]
public sealed class AcceleratorPlacementFilterStrategy : PlacementFilterStrategy
{
    /// <summary>Creates the strategy (filter order 0).</summary>
    public AcceleratorPlacementFilterStrategy()
        : base(0)
    {
    }
}

/// <summary>Marks a grain class to be placed on silos with an accelerator when the cluster has any.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class AcceleratorPlacementFilterAttribute : PlacementFilterAttribute
{
    /// <summary>Creates the attribute.</summary>
    public AcceleratorPlacementFilterAttribute()
        : base(new AcceleratorPlacementFilterStrategy())
    {
    }
}

/// <summary>Keeps the silos whose metadata says "cuda" when there is at least one; all silos otherwise.</summary>
public sealed class AcceleratorPlacementFilterDirector(ISiloMetadataCache metadata) : IPlacementFilterDirector
{
    /// <inheritdoc/>
    public IEnumerable<SiloAddress> Filter(PlacementFilterStrategy filterStrategy, PlacementTarget target, IEnumerable<SiloAddress> silos) =>
        Choose(silos, s => metadata.GetSiloMetadata(s).Metadata.TryGetValue(AcceleratorMetadata.Key, out var v) ? v : null);

    /// <summary>The silos whose accelerator is "cuda" when there is at least one; all silos otherwise.</summary>
    public static IReadOnlyList<SiloAddress> Choose(IEnumerable<SiloAddress> silos, Func<SiloAddress, string?> accelerator)
    {
        var all = silos.ToArray();
        var accelerated = all.Where(s => accelerator(s) == "cuda").ToArray();
        return accelerated.Length > 0 ? accelerated : all;
    }
}
