using Orleans.TestingHost;
using Scar.Grains;
using Scar.Silo;

namespace Scar.Grains.Tests;

/// <summary>A cluster of three silos sharing one file grain storage, for topology tests.</summary>
public sealed class MultiSiloFixture : IDisposable
{
    public MultiSiloFixture()
    {
        StorageFolder = Path.Combine(Path.GetTempPath(), $"scar-cluster-state-{Guid.NewGuid():N}");
        Folder = StorageFolder;
        var builder = new TestClusterBuilder(3);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        Cluster.Deploy();
    }

    public TestCluster Cluster { get; }

    public string StorageFolder { get; }

    // Silos are configured through a parameterless configurator: it reads the folder from here.
    private static string Folder { get; set; } = "";

    public void Dispose()
    {
        Cluster.StopAllSilos();
        try
        {
            Directory.Delete(StorageFolder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder
            .AddFileGrainStorage(ScarSiloOptions.StorageName, Folder)
            .AddScar(o => o.ProbeConcurrency = 4);
    }
}

[CollectionDefinition(Name)]
public sealed class MultiSiloCollection : ICollectionFixture<MultiSiloFixture>
{
    public const string Name = "multi-silo";
}
