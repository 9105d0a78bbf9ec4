using System.Formats.Tar;
using System.Text.Json;
using Parquet.Serialization;
using Scar.Core.IO;
using Scar.Extraction.Encoders;

namespace Scar.Extraction.Tests;

/// <summary>Every kind of bad input: skipped with a count and a reason, or a clear error when a whole shard is bad.</summary>
public sealed class CorruptInputTests
{
    private readonly string _dir = Directory.CreateTempSubdirectory("scar-corrupt-").FullName;

    private static string[] Pngs => Directory.GetFiles(Path.Combine(Path.GetDirectoryName(EmojiData.Instance.Manifest)!, "google", "img", "google", "64"), "*.png").Order(StringComparer.Ordinal).Take(6).ToArray();

    private ExtractionSettings Settings => new() { OutDir = Path.Combine(_dir, "out"), Provider = ExecutionProviderKind.Cpu };

    private string Manifest(params object[] rows)
    {
        string path = Path.Combine(_dir, "manifest.jsonl");
        File.WriteAllLines(path, rows.Select(r => JsonSerializer.Serialize(r)));
        return path;
    }

    [Fact]
    public async Task Unreadable_image_is_skipped_with_its_reason()
    {
        string bad = Path.Combine(_dir, "bad.png");
        File.WriteAllText(bad, "this is not a png");
        string manifest = Manifest(
            new { id = "a", image = Pngs[0], caption = "grinning face" },
            new { id = "b", image = "bad.png", caption = "broken" },
            new { id = "c", image = "missing.png", caption = "missing file" },
            new { id = "d", image_base64 = Convert.ToBase64String(File.ReadAllBytes(Pngs[1])), captions = new[] { "inline", "bytes" } });
        var s = await Extractor.RunAsync(manifest, null, Settings);
        Assert.Equal(2, s.Items);
        Assert.Equal(3, s.Captions);
        Assert.Equal(2, s.Shards[0].SkippedByReason["unreadable image"]);
        Assert.Contains(s.Shards[0].SampleReasons, r => r.StartsWith("b: unreadable image", StringComparison.Ordinal));
        Assert.Equal(["a", "d"], File.ReadAllLines(s.IdsPath));
    }

    [Fact]
    public async Task Empty_caption_is_skipped()
    {
        string manifest = Manifest(
            new { id = "a", image = Pngs[0], captions = new[] { "ok", "" } },
            new { id = "b", image = Pngs[1], captions = new[] { "", "   " } },
            new { id = "c", image = Pngs[2], caption = "" });
        var s = await Extractor.RunAsync(manifest, null, Settings);
        Assert.Equal(1, s.Items);
        Assert.Equal(1, s.Captions);
        Assert.Equal(2, s.Shards[0].SkippedByReason["empty caption"]);
    }

    [Fact]
    public async Task Duplicate_id_is_skipped_within_and_across_shards()
    {
        string manifest = Manifest(
            new { id = "a", image = Pngs[0], caption = "one" },
            new { id = "a", image = Pngs[1], caption = "same id, same shard" },
            new { id = "b", image = Pngs[2], caption = "two" },
            new { id = "b", image = Pngs[3], caption = "same id, next shard" },
            new { id = "c", image = Pngs[4], caption = "three" });
        var s = await Extractor.RunAsync(manifest, null, Settings, shardSize: 3);
        Assert.Equal(["a", "b", "c"], File.ReadAllLines(s.IdsPath));
        Assert.Equal(1, s.Shards[0].SkippedByReason["duplicate id"]);
        Assert.Equal(1, s.Shards[1].SkippedByReason["duplicate id"]);
        Assert.Equal(3, NpyFile.ReadMatrix(s.MediaPath).Rows);
        Assert.Equal([0, 1, 2], NpyFile.ReadIntVector(s.GroupsPath));
    }

    [Fact]
    public async Task Wholly_bad_shard_fails_with_a_clear_error()
    {
        string manifest = Manifest(
            new { id = "a", image = Pngs[0], caption = "good shard" },
            new { id = "b", image = "nope-1.png", caption = "x" },
            new { id = "c", image = Pngs[1], caption = " " });
        var e = await Assert.ThrowsAsync<ExtractionException>(() => Extractor.RunAsync(manifest, null, Settings, shardSize: 1));
        Assert.Contains("shard 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("no usable record", e.Message, StringComparison.Ordinal);
        Assert.Contains("unreadable image", e.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(ShardExtractor.ShardDir(Settings.OutDir, 0), ShardExtractor.Marker)), "the good shard before it is finished");
    }

    [Fact]
    public async Task Tar_shards_are_read_and_a_truncated_tar_keeps_what_precedes_the_damage()
    {
        string good = WriteTar("good-000.tar", 4);
        string cut = WriteTar("cut-001.tar", 4);
        var bytes = File.ReadAllBytes(cut);
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);
        var s = await Extractor.RunAsync(null, Path.Combine(_dir, "*.tar"), Settings);
        Assert.Equal(2, s.Shards.Count);
        var damaged = s.Shards.Single(r => r.Damage is not null);
        Assert.Contains("truncated", damaged.Damage!, StringComparison.Ordinal);
        Assert.InRange(damaged.Kept, 1, 3);
        Assert.Equal(4 + damaged.Kept, s.Items);
        Assert.Contains("k000", File.ReadAllLines(s.IdsPath));
    }

    [Fact]
    public async Task Wholly_truncated_tar_fails_clearly()
    {
        string cut = WriteTar("only-000.tar", 2);
        File.WriteAllBytes(cut, File.ReadAllBytes(cut)[..700]);
        var e = await Assert.ThrowsAsync<ExtractionException>(() => Extractor.RunAsync(null, cut, Settings));
        Assert.Contains("no usable record", e.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parquet_manifest_is_read()
    {
        string path = Path.Combine(_dir, "manifest.parquet");
        var rows = Pngs.Take(3).Select((p, i) => new ParquetRow { id = $"p{i}", image = p, caption = $"emoji number {i}", label_category = i % 2 == 0 ? "even" : "odd" }).ToList();
        await ParquetSerializer.SerializeAsync(rows, path);
        var s = await Extractor.RunAsync(path, null, Settings);
        Assert.Equal(3, s.Items);
        Assert.Equal([0, 1, 0], NpyFile.ReadIntVector(s.LabelPaths["category"]));
    }

    private string WriteTar(string name, int records)
    {
        string path = Path.Combine(_dir, name);
        using var file = File.Create(path);
        using var tar = new TarWriter(file, TarEntryFormat.Pax);
        string prefix = name[..name.IndexOf('-', StringComparison.Ordinal)];
        for (int i = 0; i < records; i++)
        {
            string key = prefix == "good" ? $"k{i:D3}" : $"{prefix}{i:D3}";
            Add(tar, $"{key}.png", File.ReadAllBytes(Pngs[i]));
            Add(tar, $"{key}.txt", System.Text.Encoding.UTF8.GetBytes($"caption of {key}"));
            Add(tar, $"{key}.json", System.Text.Encoding.UTF8.GetBytes("{\"key\":\"" + key + "\",\"labels\":{\"category\":\"c" + (i % 2).ToString(System.Globalization.CultureInfo.InvariantCulture) + "\"}}"));
        }

        return path;
    }

    private static void Add(TarWriter tar, string name, byte[] data) =>
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });

    /// <summary>A Parquet manifest row.</summary>
#pragma warning disable IDE1006 // column names are the manifest's
    public sealed class ParquetRow
    {
        /// <summary>Item id.</summary>
        public string id { get; set; } = "";

        /// <summary>Image path.</summary>
        public string image { get; set; } = "";

        /// <summary>Caption.</summary>
        public string caption { get; set; } = "";

        /// <summary>A label.</summary>
        public string label_category { get; set; } = "";
    }
#pragma warning restore IDE1006
}
