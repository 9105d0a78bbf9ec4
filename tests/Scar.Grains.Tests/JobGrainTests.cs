using Scar.Abstractions;
using Scar.Client;
using Scar.Core.Pipeline;
using Scar.Grains;

namespace Scar.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class JobGrainTests(ClusterFixture fixture)
{
    private readonly ScarClient _client = new(fixture.Cluster.Client) { PollInterval = TimeSpan.FromMilliseconds(50) };

    private async Task<JobStatus> RunToEndAsync(string jobId, JobSpec spec)
    {
        await _client.SubmitAsync(jobId, spec);
        JobStatus last = null!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await foreach (var status in _client.WatchAsync(jobId, timeout.Token))
        {
            last = status;
        }

        return last;
    }

    [Fact]
    public async Task A_job_runs_through_grains_and_matches_the_in_process_pipeline()
    {
        using var corpus = new TestCorpus();
        var spec = corpus.Spec("grain");
        var status = await RunToEndAsync("job-match", spec);
        Assert.Equal(JobState.Done, status.State);
        Assert.Equal(status.ProbesTotal, status.ProbesDone);
        Assert.Equal(2 * 2 * (1 + 2 + 5) + 8, status.ProbesTotal);
        Assert.True(File.Exists(status.ReportPath));

        await Characterizer.RunLocalAsync(spec.ToOptions(), Path.Combine(corpus.Folder, "local"));
        Assert.Equal(File.ReadAllText(Path.Combine(corpus.Folder, "local", "report.json")), File.ReadAllText(status.ReportPath!));
        Assert.Equal(File.ReadAllText(status.ReportPath!), await _client.GetReportAsync("job-match"));
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_report_twice()
    {
        using var corpus = new TestCorpus();
        var first = await RunToEndAsync("job-seed-1", corpus.Spec("one"));
        var second = await RunToEndAsync("job-seed-2", corpus.Spec("two"));
        Assert.Equal(File.ReadAllText(first.ReportPath!), File.ReadAllText(second.ReportPath!));
    }

    [Fact]
    public async Task Resubmitting_a_job_is_idempotent_and_a_different_spec_is_refused()
    {
        using var corpus = new TestCorpus();
        var spec = corpus.Spec("idem");
        var done = await RunToEndAsync("job-idem", spec);
        var again = await _client.SubmitAsync("job-idem", spec);
        Assert.Equal(JobState.Done, again.State);
        Assert.Equal(done.ReportPath, again.ReportPath);
        await Assert.ThrowsAsync<InvalidOperationException>(() => _client.SubmitAsync("job-idem", spec with { Seed = 1 }));
    }

    [Fact]
    public async Task A_bad_input_fails_the_job_naming_the_file()
    {
        using var corpus = new TestCorpus();
        var spec = corpus.Spec("bad") with
        {
            Modalities = [new ModalitySpec("image", corpus.ImagePath), new ModalitySpec("text", Path.Combine(corpus.Folder, "missing.npy"))],
        };
        var status = await RunToEndAsync("job-bad", spec);
        Assert.Equal(JobState.Failed, status.State);
        Assert.Contains("missing.npy", status.Error);
        Assert.Contains("missing.npy", status.ErrorInput);
    }

    [Fact]
    public async Task A_bad_option_fails_at_submission()
    {
        using var corpus = new TestCorpus();
        var status = await _client.SubmitAsync("job-bad-k", corpus.Spec("bad-k") with { K = 1 });
        Assert.Equal(JobState.Failed, status.State);
        Assert.Equal("--k", status.ErrorInput);
    }

    [Fact]
    public async Task A_running_job_can_be_cancelled_and_keeps_its_finished_work()
    {
        using var corpus = new TestCorpus(items: 3000);
        var spec = corpus.Spec("cancel") with { MaxEpochs = 100, Ratios = [1, 2, 5, 10, 15, 20, 30] };
        await _client.SubmitAsync("job-cancel", spec);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        JobStatus running;
        while ((running = await _client.GetStatusAsync("job-cancel")).ProbesDone < 2)
        {
            Assert.Equal(JobState.Running, running.State);
            await Task.Delay(50, timeout.Token);
        }

        var status = await _client.CancelAsync("job-cancel");
        Assert.Equal(JobState.Cancelled, status.State);
        Assert.True(status.ProbesDone < status.ProbesTotal);
        Assert.True(File.Exists(Path.Combine(spec.OutDir, "work", "split.train.npy")));
    }

    [Fact]
    public async Task A_nan_row_found_when_its_shard_loads_fails_the_job_naming_shard_and_row()
    {
        using var corpus = new TestCorpus(items: 400);
        var text = Core.IO.NpyFile.ReadMatrix(corpus.TextPath);
        text.Row(350)[3] = float.NaN;
        Core.IO.NpyFile.WriteMatrix(corpus.TextPath, text);
        var status = await RunToEndAsync("job-nan-late", corpus.Spec("nan") with { ShardRows = 100 });
        Assert.Equal(JobState.Failed, status.State);
        Assert.Contains("text.npy", status.Error);
        Assert.Contains("row 350", status.Error);
        Assert.Contains("shard of rows 300..399", status.Error);
        // The image modality's clustering ran before the text shard failed; the stage it was in is named.
        Assert.Equal("preparing", status.Stage);
    }
}
