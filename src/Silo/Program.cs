using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Scar.Core;
using Scar.Silo;
using Scar.Silo.Http;

// A standalone silo process, configured by SCAR_* environment variables (see SiloSettings).
SiloSettings settings;
HttpApiSettings? http;
try
{
    settings = SiloSettings.FromEnvironment();
    http = HttpApiSettings.FromEnvironment();
    if (settings.Postgres is { } postgres)
    {
        await PostgresConnection.CheckAsync(postgres, "SCAR_POSTGRES");
    }

    settings = settings.OpenAccelerator();
}
catch (ScarInputException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}

var host = Host.CreateDefaultBuilder(args)
    .ConfigureLogging(logging =>
    {
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Orleans", LogLevel.Warning);
    })
    .ConfigureServices(services =>
    {
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(settings.ShutdownTimeoutSeconds));
        services.AddScarTelemetry();
    })
    .UseOrleans(settings.Apply)
    .UseScarHttpApi(http)
    .Build();

// Where this silo's k-means and probes run, and why OpenBLAS is passed over when it is.
var kernels = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Scar.Silo");
kernels.LogInformation("Shard k-means and probe gradients: {Where} (SCAR_ACCELERATOR={Setting}); matrix kernels: {Backend}{Core}",
    ShardAccelerators.Describe(settings.ShardAccelerator), settings.Accelerator, Scar.Core.Numerics.Gemm.Backend,
    Scar.Core.Numerics.Gemm.OpenBlasCore is { } core ? $" (OpenBLAS kernels {core})" : string.Empty);
if (Scar.Core.Numerics.Gemm.BackendNote is { } note)
{
    kernels.LogWarning("{Note}", note);
}

await host.RunAsync();
return 0;
