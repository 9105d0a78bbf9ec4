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
await host.RunAsync();
return 0;
