using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Scar.Core.Telemetry;

namespace Scar.Silo;

/// <summary>
/// OpenTelemetry for a silo: Scar's and Orleans' spans and meters, exported by OTLP when the standard
/// OTEL_EXPORTER_OTLP_ENDPOINT is set (the other OTEL_* variables configure it) and to the console when
/// SCAR_TELEMETRY_CONSOLE=1. Nothing is collected when neither is set.
/// </summary>
public static class SiloTelemetry
{
    /// <summary>Orleans' activity sources, traced next to Scar's.</summary>
    public static readonly string[] OrleansSources = ["Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];

    /// <summary>Adds OpenTelemetry to <paramref name="services"/> when an exporter is configured; returns whether it did.</summary>
    public static bool AddScarTelemetry(this IServiceCollection services)
    {
        bool otlp = Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT") is { Length: > 0 };
        bool console = Environment.GetEnvironmentVariable("SCAR_TELEMETRY_CONSOLE") is "1" or "true";
        if (!otlp && !console)
        {
            return false;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME") ?? "scar-silo"))
            .WithTracing(t =>
            {
                t.AddSource(ScarTelemetry.Name).AddSource(OrleansSources);
                if (otlp)
                {
                    t.AddOtlpExporter();
                }

                if (console)
                {
                    t.AddConsoleExporter();
                }
            })
            .WithMetrics(m =>
            {
                m.AddMeter(ScarTelemetry.Name, "Microsoft.Orleans");
                if (otlp)
                {
                    m.AddOtlpExporter();
                }

                if (console)
                {
                    m.AddConsoleExporter();
                }
            });
        return true;
    }
}
