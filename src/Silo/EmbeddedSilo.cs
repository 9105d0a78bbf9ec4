using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Scar.Grains;

namespace Scar.Silo;

/// <summary>
/// An in-process silo (localhost clustering, memory storage) with a client bound to it: the default way the
/// <c>scar</c> command runs a job, needing no outside service. Ports are picked free so that several can run at once.
/// </summary>
public sealed class EmbeddedSilo : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly Scar.Core.Distributed.IShardAccelerator? _accelerator;

    private EmbeddedSilo(IHost host, Scar.Core.Distributed.IShardAccelerator? accelerator)
    {
        _host = host;
        _accelerator = accelerator;
        Client = host.Services.GetRequiredService<IClusterClient>();
    }

    /// <summary>A client of the in-process silo.</summary>
    public IClusterClient Client { get; }

    /// <summary>
    /// Starts the silo and waits until it accepts calls. Its shards run k-means assignments and probe gradients on
    /// <paramref name="accelerator"/> when given (see <see cref="ShardAccelerators"/>); the silo disposes it when it stops.
    /// </summary>
    public static async Task<EmbeddedSilo> StartAsync(Action<ScarSiloOptions>? configure = null, LogLevel logLevel = LogLevel.Warning,
        CancellationToken cancellationToken = default, Scar.Core.Distributed.IShardAccelerator? accelerator = null)
    {
        int siloPort = FreePort(), gatewayPort = FreePort();
        var host = Host.CreateDefaultBuilder()
            .UseContentRoot(AppContext.BaseDirectory)
            .ConfigureLogging(logging =>
            {
                logging.ClearProviders();
                logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
                logging.SetMinimumLevel(logLevel);
                // Orleans' start-up notes (server GC, a first watchdog tick) are noise for a one-job process.
                logging.AddFilter("Orleans", logLevel > LogLevel.Error ? logLevel : LogLevel.Error);
            })
            .UseOrleans(silo => silo
                .UseLocalhostClustering(siloPort, gatewayPort, serviceId: "scar", clusterId: $"scar-embedded-{Environment.ProcessId}-{siloPort}")
                .AddMemoryGrainStorage(ScarSiloOptions.StorageName)
                .AddScar(configure, accelerator))
            .Build();
        await host.StartAsync(cancellationToken);
        return new EmbeddedSilo(host, accelerator);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _host.StopAsync(timeout.Token);
        }
        finally
        {
            _host.Dispose();
            (_accelerator as IDisposable)?.Dispose();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
