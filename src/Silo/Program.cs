using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Scar.Grains;
using Scar.Silo;

// A standalone silo process. Development clustering on localhost: SCAR_SILO_PORT, SCAR_GATEWAY_PORT and
// SCAR_PRIMARY_SILO_PORT (the first silo's port) choose the ports; SCAR_CLUSTER_ID names the cluster.
int siloPort = EnvInt("SCAR_SILO_PORT", 11111);
int gatewayPort = EnvInt("SCAR_GATEWAY_PORT", 30000);
int primaryPort = EnvInt("SCAR_PRIMARY_SILO_PORT", siloPort);
string clusterId = Environment.GetEnvironmentVariable("SCAR_CLUSTER_ID") ?? "scar-local";

var host = Host.CreateDefaultBuilder(args)
    .ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning))
    .UseOrleans(silo => silo
        .UseLocalhostClustering(siloPort, gatewayPort, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, primaryPort), "scar", clusterId)
        .AddMemoryGrainStorage(ScarSiloOptions.StorageName)
        .AddScar(o => o.ProbeConcurrency = EnvInt("SCAR_PROBE_CONCURRENCY", 0)))
    .Build();
await host.RunAsync();
return 0;

static int EnvInt(string name, int fallback) =>
    int.TryParse(Environment.GetEnvironmentVariable(name), out int value) ? value : fallback;
