using Parquet.Serialization;
using Scar.Extraction.Encoders;

namespace Scar.Extraction.Readers;

/// <summary>
/// A Parquet manifest (Parquet.Net): columns <c>id</c>, one of <c>image</c> (path) / <c>image_bytes</c> (binary) /
/// <c>audio</c> / <c>video</c>, <c>caption</c> (string) and/or <c>captions</c> (list of strings), and optional
/// string columns <c>label_NAME</c> kept as labels.
/// </summary>
public static class ParquetManifestReader
{
    /// <summary>Counts the rows of a Parquet manifest.</summary>
    public static long Count(string path)
    {
        using var stream = File.OpenRead(path);
        var result = ParquetSerializer.DeserializeUntypedAsync(stream).GetAwaiter().GetResult();
        return result.Data.Count;
    }

    /// <summary>Reads records [start, start + count) (count -1: to the end).</summary>
    public static ShardContent Read(string path, long start, long count)
    {
        var content = new ShardContent();
        string baseDir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        using var stream = File.OpenRead(path);
        var result = ParquetSerializer.DeserializeUntypedAsync(stream).GetAwaiter().GetResult();
        long end = count < 0 ? result.Data.Count : Math.Min(result.Data.Count, start + count);
        for (long i = start; i < end; i++)
        {
            var row = result.Data[(int)i];
            try
            {
                content.Records.Add(FromRow(row, baseDir, i));
            }
            catch (FormatException e)
            {
                content.Skipped.Add(($"row {i}", $"bad manifest row ({e.Message})"));
            }
        }

        return content;
    }

    private static DatasetRecord FromRow(IDictionary<string, object> row, string baseDir, long index)
    {
        string id = RecordFields.CellText(Get(row, "id")) ?? throw new FormatException($"row {index} has no id");
        EncoderKind kind;
        MediaInput media;
        if (Get(row, "image_bytes") is byte[] bytes)
        {
            (kind, media) = (EncoderKind.Image, new MediaInput(Bytes: bytes));
        }
        else if (new[] { "image", "image_base64", "audio", "audio_base64", "video" }.FirstOrDefault(k => Get(row, k) is string) is { } key)
        {
            (kind, media) = RecordFields.Media(key, (string)Get(row, key)!, baseDir);
        }
        else
        {
            throw new FormatException("no image, image_bytes, audio or video column");
        }

        var captions = new List<string>();
        if (Get(row, "captions") is System.Collections.IEnumerable list and not string)
        {
            captions.AddRange(list.Cast<object?>().Select(c => RecordFields.CellText(c) ?? ""));
        }

        if (RecordFields.CellText(Get(row, "caption")) is { } one)
        {
            captions.Add(one);
        }

        Dictionary<string, string>? labels = null;
        foreach (var (name, value) in row)
        {
            if (name.StartsWith("label_", StringComparison.Ordinal) && RecordFields.CellText(value) is { } v)
            {
                (labels ??= [])[name["label_".Length..]] = v;
            }
        }

        return new DatasetRecord(id, kind, media, captions, labels);
    }

    private static object? Get(IDictionary<string, object> row, string key) => row.TryGetValue(key, out var v) ? v : null;
}
