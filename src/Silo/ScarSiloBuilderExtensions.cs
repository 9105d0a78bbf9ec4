using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Placement;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Scar.Grains;

namespace Scar.Silo;

/// <summary>Registers Scar's grains' services and settings on a silo.</summary>
public static class ScarSiloBuilderExtensions
{
    /// <summary>Long probe trainings are single grain calls; the default 30 s response timeout would cut them.</summary>
    public static readonly TimeSpan ProbeCallTimeout = TimeSpan.FromHours(2);

    /// <summary>
    /// Adds Scar's options and the longer call timeout. Grain storage named
    /// <see cref="ScarSiloOptions.StorageName"/> must be added by the host (memory for the embedded silo). With an
    /// <paramref name="accelerator"/> (see <see cref="ShardAccelerators"/>), the silo's embedding shards run their
    /// k-means assignments and probe gradients on it.
    /// </summary>
    public static ISiloBuilder AddScar(this ISiloBuilder builder, Action<ScarSiloOptions>? configure = null, Scar.Core.Distributed.IShardAccelerator? accelerator = null)
    {
        if (accelerator is not null)
        {
            builder.Services.AddSingleton(accelerator);
        }

        builder.Services.AddSingleton(sp => new Scar.Extraction.EncoderSet(sp.GetService<Microsoft.Extensions.Logging.ILogger<Scar.Extraction.EncoderSet>>()));
        builder.Services.AddOptions<ScarSiloOptions>().Configure(o => configure?.Invoke(o));
        builder.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = ProbeCallTimeout);
        builder.AddOutgoingGrainCallFilter<MessageSizeGuard>();
        // Trace context travels with grain calls: a client's span is the parent of the coordinator's and the probes'.
        builder.AddActivityPropagation();

        // Extraction grains go to silos that can run ONNX Runtime on CUDA when the cluster has any.
        builder.UseSiloMetadata(new Dictionary<string, string>
        {
            [AcceleratorMetadata.Key] = Scar.Core.CudaRuntime.LibrariesPresent() ? "cuda" : "none",
        });
        builder.Services.AddPlacementFilter<AcceleratorPlacementFilterStrategy, AcceleratorPlacementFilterDirector>(ServiceLifetime.Singleton);
        // Embedding shards spread evenly over the silos by shard index.
        builder.AddPlacementDirector<ShardSpreadPlacement, ShardSpreadPlacementDirector>();
        return builder;
    }

    /// <summary>
    /// Wakes unfinished jobs of the registry once the silo is active and then every <paramref name="interval"/> (none:
    /// only at start), so that jobs interrupted by a cluster restart resume without a client call. For silos with
    /// persistent storage; see <see cref="JobResumer"/>.
    /// </summary>
    public static ISiloBuilder AddScarJobResumer(this ISiloBuilder builder, TimeSpan? interval)
    {
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => new JobResumer(
            sp.GetRequiredService<IGrainFactory>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<JobResumer>>(),
            interval));
        return builder;
    }
}
