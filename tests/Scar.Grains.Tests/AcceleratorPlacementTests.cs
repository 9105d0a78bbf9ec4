using System.Net;

namespace Scar.Grains.Tests;

public sealed class AcceleratorPlacementTests
{
    private static readonly SiloAddress A = SiloAddress.New(IPAddress.Loopback, 11111, 1);
    private static readonly SiloAddress B = SiloAddress.New(IPAddress.Loopback, 11112, 1);
    private static readonly SiloAddress C = SiloAddress.New(IPAddress.Loopback, 11113, 1);

    [Fact]
    public void Extraction_grains_go_to_silos_with_an_accelerator_when_any_has_one()
    {
        var kinds = new Dictionary<SiloAddress, string> { [A] = "none", [B] = "cuda", [C] = "none" };
        Assert.Equal([B], AcceleratorPlacementFilterDirector.Choose([A, B, C], s => kinds[s]));
    }

    [Fact]
    public void Without_accelerators_every_silo_stays_a_candidate()
    {
        Assert.Equal([A, C], AcceleratorPlacementFilterDirector.Choose([A, C], s => s == A ? "none" : null));
    }
}
