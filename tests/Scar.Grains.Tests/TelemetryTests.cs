using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Orleans.TestingHost;
using Scar.Abstractions;
using Scar.Client;
using Scar.Core.Telemetry;
using Scar.Silo;

namespace Scar.Grains.Tests;

/// <summary>A small job on its own test cluster, recorded by OpenTelemetry's in-memory exporters.</summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task A_job_emits_spans_that_follow_it_from_the_client_and_Scar_metrics()
    {
        var exportedSpans = new List<Activity>();
        var exportedMetrics = new List<Metric>();
        using var tracer = Sdk.CreateTracerProviderBuilder().AddSource(ScarTelemetry.Name, "scar.test").AddSource(SiloTelemetry.OrleansSources).AddInMemoryExporter(exportedSpans).Build();
        using var meter = Sdk.CreateMeterProviderBuilder().AddMeter(ScarTelemetry.Name).AddInMemoryExporter(exportedMetrics).Build();

        var builder = new TestClusterBuilder(1);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        try
        {
            using var corpus = new TestCorpus(items: 300);
            var client = new ScarClient(cluster.Client) { PollInterval = TimeSpan.FromMilliseconds(50) };
            using var testSource = new ActivitySource("scar.test");
            ActivityTraceId trace;
            using (var root = testSource.StartActivity("client.submit"))
            {
                Assert.NotNull(root);
                trace = root.TraceId;
                await client.SubmitAsync("telemetry", corpus.Spec("telemetry"));
            }

            JobStatus last = null!;
            await foreach (var s in client.WatchAsync("telemetry"))
            {
                last = s;
            }

            Assert.Equal(JobState.Done, last.State);
            tracer.ForceFlush();
            meter.ForceFlush();

            // Tests in other collections run at the same time and their Scar spans keep arriving in the exporter's
            // list: assert on snapshots (ToArray copies without the enumerator's modification check).
            var spans = exportedSpans.ToArray();
            var metrics = exportedMetrics.ToArray();

            // The client's span is the trace of the coordinator's job span and of every probe it ran.
            var job = Assert.Single(spans, a => a.OperationName == "scar.job" && (string?)a.GetTagItem("scar.job") == "telemetry");
            Assert.Equal(trace, job.TraceId);
            var probes = spans.Where(a => a.OperationName == "scar.probe" && (string?)a.GetTagItem("scar.job") == "telemetry").ToList();
            Assert.NotEmpty(probes);
            Assert.All(probes, p => Assert.Equal(trace, p.TraceId));
            Assert.Contains(spans, a => a.OperationName == "scar.kmeans" && a.TraceId == trace);

            var names = metrics.Select(m => m.Name).ToHashSet();
            foreach (string name in new[] { "scar.probes.completed", "scar.probes.running", "scar.stage.duration", "scar.kmeans.iteration.duration", "scar.kmeans.objective", "scar.message.size" })
            {
                Assert.Contains(name, names);
            }

            long completed = 0;
            foreach (var m in metrics.Where(m => m.Name == "scar.probes.completed"))
            {
                foreach (ref readonly var point in m.GetMetricPoints())
                {
                    completed = Math.Max(completed, point.GetSumLong());
                }
            }

            Assert.True(completed >= probes.Count, $"scar.probes.completed = {completed}, fewer than the {probes.Count} probe spans");
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder
            .AddMemoryGrainStorage(ScarSiloOptions.StorageName)
            .AddScar(o => o.ProbeConcurrency = 2);
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) => clientBuilder.AddActivityPropagation();
    }
}
