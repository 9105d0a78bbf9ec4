using System.Text.Json;

namespace Scar.Extraction.Readers;

/// <summary>A JSON Lines manifest: one object per line (see docs/formats.md); blank lines are ignored.</summary>
public static class JsonLinesReader
{
    /// <summary>Counts the records (non-blank lines) of a manifest.</summary>
    public static long Count(string path) => File.ReadLines(path).LongCount(l => !string.IsNullOrWhiteSpace(l));

    /// <summary>Reads records [start, start + count) (count -1: to the end).</summary>
    public static ShardContent Read(string path, long start, long count)
    {
        var content = new ShardContent();
        string baseDir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        long index = -1, line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            index++;
            if (index < start)
            {
                continue;
            }

            if (count >= 0 && index >= start + count)
            {
                break;
            }

            try
            {
                using var doc = JsonDocument.Parse(text);
                content.Records.Add(RecordFields.FromJson(doc.RootElement, baseDir));
            }
            catch (Exception e) when (e is JsonException or FormatException)
            {
                content.Skipped.Add(($"line {line}", $"bad manifest line ({e.Message.Split('\n')[0]})"));
            }
        }

        return content;
    }
}
