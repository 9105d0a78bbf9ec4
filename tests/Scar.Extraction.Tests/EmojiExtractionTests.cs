using System.Numerics.Tensors;
using Scar.Core.IO;
using Scar.Core.Numerics;
using Scar.Extraction.Encoders;

namespace Scar.Extraction.Tests;

/// <summary>Extracts a slice of the real emoji set on the CPU and checks the embeddings.</summary>
public sealed class EmojiExtractionTests
{
    private static readonly Lazy<(ExtractionSummary Summary, string Out)> Result = new(() =>
    {
        var data = EmojiData.Instance;
        string outDir = Path.Combine(Path.GetTempPath(), $"scar-emoji-out-{Guid.NewGuid():N}");
        var settings = new ExtractionSettings { OutDir = outDir, Provider = ExecutionProviderKind.Cpu };
        var summary = Extractor.RunAsync(data.SliceManifest, null, settings, shardSize: 150).GetAwaiter().GetResult();
        return (summary, outDir);
    });

    [Fact]
    public void Shapes_ids_groups_and_labels_match()
    {
        var (s, _) = Result.Value;
        var image = NpyFile.ReadMatrix(s.MediaPath);
        var text = NpyFile.ReadMatrix(s.TextPath);
        var groups = NpyFile.ReadIntVector(s.GroupsPath);
        Assert.Equal(400, s.Items);
        Assert.Equal(0, s.Skipped);
        Assert.Equal((400, 512), (image.Rows, image.Cols));
        Assert.Equal(384, text.Cols);
        Assert.Equal(text.Rows, groups.Length);
        Assert.InRange(text.Rows, 400, 800);
        Assert.Equal(Enumerable.Range(0, 400), groups.Distinct().Order());
        Assert.Equal(400, File.ReadAllLines(s.IdsPath).Length);
        Assert.Equal(3, s.Shards.Count);
        var categories = NpyFile.ReadIntVector(s.LabelPaths["category"]);
        Assert.Equal(400, categories.Length);
        Assert.Equal(EmojiData.Instance.Categories.Distinct().Count(), categories.Distinct().Count());
    }

    [Fact]
    public void Embeddings_are_unit_length()
    {
        var (s, _) = Result.Value;
        foreach (var m in new[] { NpyFile.ReadMatrix(s.MediaPath), NpyFile.ReadMatrix(s.TextPath) })
        {
            for (int i = 0; i < m.Rows; i++)
            {
                Assert.InRange(TensorPrimitives.Norm(m.Row(i)), 0.999f, 1.001f);
            }
        }
    }

    [Fact]
    public void Same_category_images_are_closer_than_other_categories()
    {
        var (s, _) = Result.Value;
        var (within, between) = WithinBetween(NpyFile.ReadMatrix(s.MediaPath), EmojiData.Instance.Categories);
        Assert.True(within > between, $"image: mean cosine within categories {within:F4} ≤ between {between:F4}");
    }

    [Fact]
    public void Same_category_captions_are_closer_than_other_categories()
    {
        var (s, _) = Result.Value;
        var text = NpyFile.ReadMatrix(s.TextPath);
        var groups = NpyFile.ReadIntVector(s.GroupsPath);
        var cats = EmojiData.Instance.Categories;
        var (within, between) = WithinBetween(text, groups.Select(g => cats[g]).ToArray());
        Assert.True(within > between, $"text: mean cosine within categories {within:F4} ≤ between {between:F4}");
    }

    [Fact]
    public async Task A_finished_shard_is_not_recomputed()
    {
        var (s, outDir) = Result.Value;
        var settings = new ExtractionSettings { OutDir = outDir, Provider = ExecutionProviderKind.Cpu };
        var again = await Extractor.RunAsync(EmojiData.Instance.SliceManifest, null, settings, shardSize: 150);
        Assert.All(again.Shards, r => Assert.True(r.Reused));
        Assert.Equal(NpyFile.ReadMatrix(s.MediaPath).Data, NpyFile.ReadMatrix(again.MediaPath).Data);
    }

    /// <summary>Mean cosine similarity of pairs in the same class and in different classes (unit rows).</summary>
    public static (double Within, double Between) WithinBetween(FloatMatrix m, string[] classes)
    {
        double within = 0, between = 0;
        long nw = 0, nb = 0;
        for (int i = 0; i < m.Rows; i++)
        {
            for (int j = i + 1; j < m.Rows; j++)
            {
                double dot = TensorPrimitives.Dot(m.Row(i), m.Row(j));
                if (classes[i] == classes[j])
                {
                    within += dot;
                    nw++;
                }
                else
                {
                    between += dot;
                    nb++;
                }
            }
        }

        return (within / nw, between / nb);
    }
}
