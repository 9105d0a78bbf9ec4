using System.Text;
using Scar.Extraction.Readers;

namespace Scar.Extraction.Tests;

/// <summary>
/// Random manifest lines thrown at the JSON Lines reader: every line is either a record or a skipped entry with a
/// reason naming its line; nothing else escapes, and memory stays proportional to the manifest.
/// </summary>
public sealed class ManifestFuzzTests : IDisposable
{
    private static readonly string[] Fragments =
    [
        "{", "}", "[", "]", "\"id\"", "\"image\"", "\"image_base64\"", "\"audio\"", "\"video\"", "\"caption\"", "\"captions\"",
        "\"labels\"", ":", ",", "null", "true", "1e999", "-0", "\"\"", "\"a.png\"", "\"../../etc/passwd\"", "\"\\u0000\"",
        "\"not base64!\"", "\"QUJD\"", "{\"x\":1}", "[\"a\",2,null]", "\"\\ud800\"", "\u00e9", "\t", "\"" + new string('x', 2000) + "\"",
        "\"/dev/zero\"", "\"a\\u0000b.png\"", "123456789012345678901234567890", "{\"id\":{}}", "\"key\"",
    ];

    private readonly string _dir = Directory.CreateTempSubdirectory("scar-manifest-fuzz-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public void Thousands_of_random_manifest_lines_are_records_or_reasoned_skips()
    {
        var random = new Random(7);
        var lines = new List<string>();
        for (int i = 0; i < 5000; i++)
        {
            lines.Add((i % 3) switch
            {
                0 => string.Concat(Enumerable.Range(0, random.Next(1, 12)).Select(_ => Fragments[random.Next(Fragments.Length)])),
                1 => Row(random),
                _ => RandomText(random),
            });
        }

        string path = Path.Combine(_dir, "manifest.jsonl");
        File.WriteAllLines(path, lines, new UTF8Encoding(false));
        long records = JsonLinesReader.Count(path);

        long before = GC.GetAllocatedBytesForCurrentThread();
        ShardContent content;
        try
        {
            content = JsonLinesReader.Read(path, 0, -1);
        }
        catch (ExtractionException e)
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
            return;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(records, content.Records.Count + content.Skipped.Count);
        Assert.All(content.Skipped, s =>
        {
            Assert.StartsWith("line ", s.Where, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(s.Reason));
        });
        Assert.True(content.Records.Count > 100, $"only {content.Records.Count} readable rows: the generator is broken");
        Assert.True(content.Skipped.Count > 1000, $"only {content.Skipped.Count} skipped rows");
        Assert.True(allocated < 64L * new FileInfo(path).Length + (32L << 20), $"{allocated:N0} bytes allocated for a {new FileInfo(path).Length:N0}-byte manifest");

        // Shards of the same manifest read the same lines: every window agrees with the whole.
        var window = JsonLinesReader.Read(path, 1000, 500);
        Assert.Equal(500, window.Records.Count + window.Skipped.Count);
    }

    private static string Row(Random random)
    {
        var fields = new List<string>();
        if (random.Next(5) > 0)
        {
            fields.Add($"\"id\": {Pick(random, ["\"r1\"", "7", "null", "\"\"", "[]", "\"\\u0000\""])}");
        }

        string key = Pick(random, ["image", "image_base64", "audio", "audio_base64", "video", "picture"]);
        fields.Add($"\"{key}\": {Pick(random, ["\"x.png\"", "\"QUJD\"", "\"@@@\"", "\"a\\u0000b\"", "3", "\"\"", "\"" + new string('/', 5000) + "\"", "\"\\\\\\\\?\\\\C:\""])}");
        if (random.Next(2) == 0)
        {
            fields.Add($"\"captions\": {Pick(random, ["[\"a\", 1, null]", "\"one\"", "[]", "{}"])}");
        }

        if (random.Next(3) == 0)
        {
            fields.Add($"\"labels\": {Pick(random, ["{\"k\": 1}", "{\"k\": {\"deep\": [1]}}", "[]", "null"])}");
        }

        return "{" + string.Join(", ", fields.OrderBy(_ => random.Next())) + "}";
    }

    private static string RandomText(Random random)
    {
        var chars = new char[random.Next(1, 200)];
        for (int i = 0; i < chars.Length; i++)
        {
            chars[i] = (char)random.Next(1, 0xD7FF);
        }

        return new string(chars).Replace('\n', ' ').Replace('\r', ' ');
    }

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];
}
