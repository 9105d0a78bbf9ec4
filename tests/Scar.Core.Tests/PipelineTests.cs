using System.Text.Json;
using Scar.Core.Distributed;
using Scar.Core.IO;
using Scar.Core.Numerics;
using Scar.Core.Pipeline;

namespace Scar.Core.Tests;

public sealed class PipelineTests
{
    [Fact]
    public void Stratified_sample_takes_floor_of_class_count_over_ratio_without_replacement()
    {
        int[] labels = [0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2];
        int[] pool = Enumerable.Range(0, labels.Length).Where(i => i != 3).ToArray(); // class 0 has 4 rows in the pool
        int[] subset = StratifiedSampler.Sample(pool, labels, 3, 2, 1UL);
        Assert.Equal(2, subset.Count(r => labels[r] == 0));
        Assert.Equal(1, subset.Count(r => labels[r] == 1));
        Assert.Equal(3, subset.Count(r => labels[r] == 2));
        Assert.Equal(subset.Length, subset.Distinct().Count());
        Assert.All(subset, r => Assert.Contains(r, pool));
        Assert.Equal(subset, StratifiedSampler.Sample(pool, labels, 3, 2, 1UL));
        Assert.NotEqual(subset, StratifiedSampler.Sample(pool, labels, 3, 2, 2UL));
        Assert.Equal(pool, StratifiedSampler.Sample(pool, labels, 3, 1, 1UL));
    }

    [Fact]
    public void Mode_by_group_breaks_ties_to_the_smallest_cluster()
    {
        int[] clusters = [2, 1, 1, 0, 2, 3, 3];
        int[] groups = [0, 0, 0, 1, 1, 2, 2];
        Assert.Equal([1, 0, 3], JobPreparation.ModeByGroup(clusters, groups, 3, 4));
    }

    [Fact]
    public void Mean_by_group_averages_each_items_captions()
    {
        var captions = new FloatMatrix(3, 2, [1, 2, 3, 4, 10, 20]);
        var mean = JobPreparation.MeanByGroup(captions, [0, 0, 1], 2);
        Assert.Equal([2f, 3f, 10f, 20f], mean.Data);
    }

    [Fact]
    public async Task Unpaired_rows_are_rejected_naming_both_modalities()
    {
        using var data = new PipelineTestData(items: 60);
        var shorter = new FloatMatrix(59, data.Corpus.B.Cols, data.Corpus.B.Data[..(59 * data.Corpus.B.Cols)]);
        string path = data.Path2("short.npy");
        NpyFile.WriteMatrix(path, shorter);
        var options = data.Options() with { Modalities = [new ModalityInput("image", data.ImagePath), new ModalityInput("text", path)] };
        var e = await Assert.ThrowsAsync<ScarInputException>(() => JobPreparation.PrepareAsync(options, data.Path2("work"), new LocalShardProvider()));
        Assert.Contains("unpaired rows", e.Message);
        Assert.Contains("60", e.Message);
        Assert.Contains("59", e.Message);
        Assert.Contains("--groups", e.Message);
    }

    [Fact]
    public async Task Too_large_k_is_rejected_with_the_fix()
    {
        using var data = new PipelineTestData(items: 20);
        var e = await Assert.ThrowsAsync<ScarInputException>(() => JobPreparation.PrepareAsync(data.Options(k: 15), data.Path2("work"), new LocalShardProvider()));
        Assert.Equal("--k", e.Input);
        Assert.Contains("Lower --k", e.Message);
    }

    [Theory]
    [InlineData(0.0, "--test-fraction")]
    [InlineData(1.5, "--test-fraction")]
    public void Bad_options_name_the_option(double testFraction, string option)
    {
        using var data = new PipelineTestData(items: 20);
        var e = Assert.Throws<ScarInputException>(() => (data.Options() with { TestFraction = testFraction }).Validate());
        Assert.Equal(option, e.Input);
    }

    [Fact]
    public void Bad_ratios_and_modality_counts_are_rejected()
    {
        using var data = new PipelineTestData(items: 20);
        Assert.Equal("--ratios", Assert.Throws<ScarInputException>(() => (data.Options() with { Ratios = [2, 5] }).Validate()).Input);
        Assert.Equal("--embeddings", Assert.Throws<ScarInputException>(() =>
            (data.Options() with { Modalities = [new ModalityInput("image", data.ImagePath)] }).Validate()).Input);
        Assert.Equal("--embeddings", Assert.Throws<ScarInputException>(() =>
            (data.Options() with { Modalities = [new ModalityInput("a", data.ImagePath), new ModalityInput("a", data.TextPath)] }).Validate()).Input);
    }

    [Fact]
    public async Task Labels_and_groups_are_validated_against_the_items()
    {
        using var data = new PipelineTestData(items: 30);
        string labels = data.Path2("labels.npy");
        NpyFile.WriteIntVector(labels, Enumerable.Range(0, 29).Select(i => i % 3).ToArray());
        var e = await Assert.ThrowsAsync<ScarInputException>(() => JobPreparation.PrepareAsync(data.Options() with { LabelsPath = labels }, data.Path2("work"), new LocalShardProvider()));
        Assert.Equal(labels, e.Input);
        Assert.Contains("29 labels for 30 items", e.Message);

        string groups = data.Path2("groups.npy");
        NpyFile.WriteIntVector(groups, Enumerable.Range(0, 30).ToArray());
        e = await Assert.ThrowsAsync<ScarInputException>(() => JobPreparation.PrepareAsync(data.Options() with { GroupsPath = groups }, data.Path2("work"), new LocalShardProvider()));
        Assert.Equal(groups, e.Input);
        Assert.Contains("exactly one modality", e.Message);
    }

    [Fact]
    public async Task Several_captions_per_item_are_pooled_for_the_text_probe()
    {
        using var data = new PipelineTestData(items: 90);
        // Three captions per item: each caption is the item's text row plus a little noise.
        var random = new DeterministicRandom(3);
        var text = data.Corpus.B;
        var captions = new FloatMatrix(text.Rows * 3, text.Cols);
        var groups = new int[text.Rows * 3];
        for (int i = 0; i < captions.Rows; i++)
        {
            groups[i] = i / 3;
            var src = text.Row(i / 3);
            var dst = captions.Row(i);
            for (int j = 0; j < src.Length; j++)
            {
                dst[j] = src[j] + (float)(0.01 * random.NextGaussian());
            }
        }

        string captionsPath = data.Path2("captions.npy"), groupsPath = data.Path2("groups.npy");
        NpyFile.WriteMatrix(captionsPath, captions);
        NpyFile.WriteIntVector(groupsPath, groups);
        var options = data.Options() with
        {
            Modalities = [new ModalityInput("image", data.ImagePath), new ModalityInput("text", captionsPath)],
            GroupsPath = groupsPath,
        };
        var job = await JobPreparation.PrepareAsync(options, data.Path2("work"), new LocalShardProvider(50));
        Assert.Equal(90, job.Items);
        Assert.Equal(270, job.Clustering[1].Rows);
        var pooled = NpyFile.ReadMatrix(job.Modalities[1].EmbeddingsPath);
        Assert.Equal(90, pooled.Rows);
        Assert.Equal(90, NpyFile.ReadIntVector(job.Modalities[0].LabelsPath).Length);
    }

    [Fact]
    public void Completion_follows_deficits_and_budget_by_hand()
    {
        // k = 2; primary 6 + 6, reserve 4 + 4; FDS_c = 16 and 10 -> deficits 10 and 4, w = 10/14 and 4/14,
        // B = min(8, min(4, 10)/(10/14), min(4, 4)/(4/14)) = 5.6; added = floor(4.0) = 4 and floor(1.6) = 1.
        using var data = new PipelineTestData(items: 20);
        string work = data.Path2("work");
        Directory.CreateDirectory(work);
        int[] labels = [.. Enumerable.Repeat(0, 10), .. Enumerable.Repeat(1, 10)];
        string labelsPath = Path.Combine(work, "m.labels.npy"), primaryPath = Path.Combine(work, "m.primary.npy"), reservePath = Path.Combine(work, "m.reserve.npy");
        NpyFile.WriteIntVector(labelsPath, labels);
        NpyFile.WriteIntVector(primaryPath, [0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15]);
        NpyFile.WriteIntVector(reservePath, [6, 7, 8, 9, 16, 17, 18, 19]);
        var modality = new PreparedModality("m", 0, "labels", data.ImagePath, data.Corpus.A.Cols, labelsPath, primaryPath, reservePath, [10, 10], [6, 6], [4, 4]);
        var job = new PreparedJob(20, 2, primaryPath, reservePath, 12, 8, [modality], []);
        var tasks = new[] { new TaskEstimate(0, 6, 1, 1, 16, null, []), new TaskEstimate(1, 6, 1, 1, 10, null, []) };
        var estimate = new FdsEstimate(12, 30, 1, Math.E, false, 1, 1, tasks, []);
        var plan = DataCompletion.Plan(job, modality, estimate, data.Options(k: 2), work);
        Assert.Equal(5.6, plan.Budget, 12);
        Assert.Equal([4, 1], plan.AddedPerClass);
        Assert.Equal(5, plan.Added);
        Assert.Equal(5, plan.RandomAdded);
        Assert.Equal(4, plan.ClasswiseAdded); // floor(5 / 2) per class
        int[] scar = NpyFile.ReadIntVector(plan.Work[1].PoolPath);
        Assert.Equal(17, scar.Length);
        Assert.Equal(4, scar.Count(r => r is >= 6 and <= 9));
        Assert.Equal(1, scar.Count(r => r >= 16));
    }

    [Fact]
    public async Task Whole_method_runs_end_to_end_and_is_deterministic()
    {
        using var data = new PipelineTestData(items: 600);
        var options = data.Options();
        var first = await Characterizer.RunLocalAsync(options, data.Path2("run1"));
        await Characterizer.RunLocalAsync(options, data.Path2("run2"), concurrency: 1);

        string a = File.ReadAllText(data.Path2("run1/report.json")), b = File.ReadAllText(data.Path2("run2/report.json"));
        Assert.Equal(a, b);
        var report = first.Report;
        Assert.Equal(600, report.N);
        Assert.Equal(3, report.K);
        Assert.Equal(2, report.Modalities.Count);
        foreach (var m in report.Modalities)
        {
            Assert.Equal(3, m.Tasks.Count);
            Assert.All(m.Tasks, t => Assert.Equal(3, t.PerRatio.Count));
            Assert.NotNull(m.FdsTotal);
            Assert.True(m.FdsTotal > 0);
            Assert.InRange(m.TestAccuracy, 0, 1);
            Assert.Equal(1 + 2 + 5, m.LearningCurve.Count);
            Assert.InRange(m.Completion.PrimaryAccuracy, 0, 1);
            Assert.Equal(m.Completion.Added, m.Completion.AddedPerClass.Sum());
        }

        using var doc = JsonDocument.Parse(a);
        var modality = doc.RootElement.GetProperty("modalities")[0];
        foreach (string field in new[] { "name", "supervised_by", "fds_total", "fds_fallback", "train_accuracy", "test_accuracy", "tasks", "dataset_scar", "completion" })
        {
            Assert.True(modality.TryGetProperty(field, out _), field);
        }

        var task = modality.GetProperty("tasks")[0];
        Assert.True(task.TryGetProperty("class", out _));
        Assert.True(task.GetProperty("per_ratio")[0].TryGetProperty("richness", out _));
        Assert.True(modality.GetProperty("completion").TryGetProperty("classwise_accuracy", out _));
    }

    [Fact]
    public async Task Well_separated_concepts_are_learned_from_the_other_modalitys_clusters()
    {
        using var data = new PipelineTestData(items: 600, mismatch: 0.0);
        var options = data.Options() with { Probe = new() { MaxEpochs = 100, LearningRate = 0.05 } };
        var result = await Characterizer.RunLocalAsync(options, data.Path2("run"));
        Assert.All(result.Report.Modalities, m => Assert.True(m.TestAccuracy > 0.9, $"{m.Name}: {m.TestAccuracy}"));
    }

    [Fact]
    public async Task Sharding_changes_only_the_rounding_and_the_same_shards_give_the_same_bytes()
    {
        using var data = new PipelineTestData(items: 600);
        var single = await Characterizer.RunLocalAsync(data.Options(), data.Path2("one"));
        var sharded = await Characterizer.RunLocalAsync(data.Options() with { ShardRows = 97 }, data.Path2("many"));
        await Characterizer.RunLocalAsync(data.Options() with { ShardRows = 97 }, data.Path2("many2"), concurrency: 1);
        Assert.Equal(File.ReadAllText(data.Path2("many/report.json")), File.ReadAllText(data.Path2("many2/report.json")));
        for (int m = 0; m < 2; m++)
        {
            var a = single.Report.Modalities[m];
            var b = sharded.Report.Modalities[m];
            Assert.Equal(a.Tasks.Select(t => t.NTrain), b.Tasks.Select(t => t.NTrain));
            Assert.Equal(a.LearningCurve.Select(p => p.SubsetSize), b.LearningCurve.Select(p => p.SubsetSize));
            Assert.True(Math.Abs(a.FdsTotal!.Value - b.FdsTotal!.Value) <= 1e-6 * a.FdsTotal.Value, $"{a.FdsTotal} vs {b.FdsTotal}");
        }
    }
}
