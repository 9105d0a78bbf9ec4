namespace Scar.Abstractions;

/// <summary>One probe training (key: job id / probe id): trains on its subset where the data is and returns the measures.</summary>
[Alias("Scar.IProbeGrain")]
public interface IProbeGrain : IGrainWithStringKey
{
    /// <summary>Draws the subset, trains the probe, measures it.</summary>
    [Alias("Run")]
    Task<ProbeResult> RunAsync(ProbeRequest request, CancellationToken cancellationToken = default);
}
