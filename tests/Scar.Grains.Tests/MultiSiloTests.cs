using Scar.Abstractions;
using Scar.Client;
using Scar.Core.Pipeline;
using Scar.Grains;

namespace Scar.Grains.Tests;

[Collection(MultiSiloCollection.Name)]
public sealed class MultiSiloTests(MultiSiloFixture fixture)
{
    private readonly ScarClient _client = new(fixture.Cluster.Client) { PollInterval = TimeSpan.FromMilliseconds(50) };

    private async Task<JobStatus> WaitAsync(string jobId, Func<JobStatus, Task>? onStatus = null)
    {
        JobStatus last = null!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await foreach (var status in _client.WatchAsync(jobId, timeout.Token))
        {
            last = status;
            if (onStatus is not null)
            {
                await onStatus(status);
            }
        }

        return last;
    }

    [Fact]
    public async Task Three_silos_give_the_same_report_as_one_process()
    {
        using var corpus = new TestCorpus(items: 500);
        var spec = corpus.Spec("three") with { ShardRows = 64 };
        await _client.SubmitAsync("multi-same", spec);
        var status = await WaitAsync("multi-same");
        Assert.Equal(JobState.Done, status.State);

        await Characterizer.RunLocalAsync(spec.ToOptions(), Path.Combine(corpus.Folder, "local"));
        Assert.Equal(File.ReadAllText(Path.Combine(corpus.Folder, "local", "report.json")), File.ReadAllText(status.ReportPath!));
    }

    [Fact]
    public async Task Adding_a_silo_and_stopping_another_mid_job_leaves_the_report_unchanged()
    {
        using var corpus = new TestCorpus(items: 2000);
        var spec = corpus.Spec("topology") with { ShardRows = 256, MaxEpochs = 60, Ratios = [1, 2, 5, 10] };
        await Characterizer.RunLocalAsync(spec.ToOptions(), Path.Combine(corpus.Folder, "local"));

        await _client.SubmitAsync("multi-topology", spec);
        bool added = false, stopped = false;
        var status = await WaitAsync("multi-topology", async s =>
        {
            if (!added && s.ProbesDone >= 10)
            {
                added = true;
                await fixture.Cluster.StartAdditionalSiloAsync();
            }
            else if (added && !stopped && s.ProbesDone >= 30 && s.CoordinatorSilo is { } coordinator)
            {
                // Stop a silo that is neither the coordinator's nor the primary (which holds development membership).
                var victim = fixture.Cluster.SecondarySilos.First(h => h.SiloAddress.ToString() != coordinator);
                stopped = true;
                await fixture.Cluster.StopSiloAsync(victim);
            }
        });

        Assert.True(added && stopped, $"the job finished before the topology changed (added {added}, stopped {stopped})");
        Assert.Equal(JobState.Done, status.State);
        Assert.Equal(File.ReadAllText(Path.Combine(corpus.Folder, "local", "report.json")), File.ReadAllText(status.ReportPath!));
    }

    [Fact]
    public void The_message_guard_refuses_embedding_sized_payloads()
    {
        Assert.Equal(4L * 1000 * 1000, MessageSizeGuard.EstimateBytes(new float[1_000_000]));
        var wire = new GradientWire(new double[10], new double[2], 0, 0);
        Assert.InRange(MessageSizeGuard.EstimateBytes(wire), 96, 200);
    }
}
