using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Scar.Extraction.Encoders;

namespace Scar.Extraction.Readers;

/// <summary>
/// A WebDataset / img2dataset tar shard read as a stream (System.Formats.Tar; .tar.gz too): files sharing a key
/// (the name up to the first dot of the base name) form one record: <c>KEY.jpg|jpeg|png|webp</c> (or
/// <c>KEY.wav</c>, <c>KEY.mp4|webm|mkv|avi</c>), <c>KEY.txt</c> (the caption) and/or <c>KEY.json</c> (caption,
/// captions, labels, id). A damaged or truncated tar keeps the records read before the damage.
/// </summary>
public static class TarShardReader
{
    private static readonly Dictionary<string, EncoderKind> MediaExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["jpg"] = EncoderKind.Image, ["jpeg"] = EncoderKind.Image, ["png"] = EncoderKind.Image, ["webp"] = EncoderKind.Image,
        ["wav"] = EncoderKind.Audio,
        ["mp4"] = EncoderKind.Video, ["webm"] = EncoderKind.Video, ["mkv"] = EncoderKind.Video, ["avi"] = EncoderKind.Video,
    };

    /// <summary>Reads every record of a tar shard.</summary>
    public static ShardContent Read(string path)
    {
        var content = new ShardContent();
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(file, CompressionMode.Decompress)
            : file;
        using var reader = new TarReader(stream);
        string? key = null;
        var parts = new Dictionary<string, byte[]>(StringComparer.OrdinalIgnoreCase);
        int entries = 0;
        try
        {
            while (reader.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                {
                    continue;
                }

                entries++;
                string name = entry.Name.Replace('\\', '/');
                string dir = Path.GetDirectoryName(name) ?? "";
                string baseName = Path.GetFileName(name);
                int dot = baseName.IndexOf('.', StringComparison.Ordinal);
                if (dot <= 0)
                {
                    content.Skipped.Add((name, "tar entry without an extension"));
                    continue;
                }

                string entryKey = Path.Combine(dir, baseName[..dot]);
                string ext = baseName[(dot + 1)..];
                var data = new byte[entry.Length];
                if (entry.DataStream is { } ds)
                {
                    ds.ReadExactly(data);
                }

                if (key is not null && entryKey != key)
                {
                    Flush(key, parts, content);
                    parts.Clear();
                }

                key = entryKey;
                parts[ext] = data;
            }

            if (key is not null)
            {
                Flush(key, parts, content);
            }
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or FormatException or IOException)
        {
            // The incomplete last group is dropped; what came before is kept.
            content.Damage = $"tar truncated or damaged after {entries} entries ({e.GetType().Name}: {e.Message.Split('\n')[0]})";
            content.Skipped.Add((key ?? path, content.Damage));
        }

        return content;
    }

    private static void Flush(string key, Dictionary<string, byte[]> parts, ShardContent content)
    {
        var media = parts.FirstOrDefault(p => MediaExtensions.ContainsKey(p.Key));
        if (media.Value is null)
        {
            content.Skipped.Add((key, $"no image/audio/video file for key (found .{string.Join(", .", parts.Keys)})"));
            return;
        }

        var kind = MediaExtensions[media.Key];
        var input = new MediaInput(Bytes: media.Value);
        var captions = new List<string>();
        if (parts.TryGetValue("txt", out var txt))
        {
            captions.Add(Encoding.UTF8.GetString(txt).Trim());
        }

        try
        {
            if (parts.TryGetValue("json", out var json))
            {
                using var doc = JsonDocument.Parse(json);
                content.Records.Add(RecordFields.FromJson(doc.RootElement, "", Path.GetFileName(key), input, kind, captions));
                return;
            }
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            content.Skipped.Add((key, $"bad {key}.json ({e.Message.Split('\n')[0]})"));
            return;
        }

        content.Records.Add(new DatasetRecord(Path.GetFileName(key), kind, input, captions, null));
    }
}
