using System.Globalization;
using System.Text.Json;
using Scar.Extraction.Encoders;

namespace Scar.Extraction.Readers;

/// <summary>Turns the fields of a manifest row or a WebDataset JSON into a record (shared by all readers).</summary>
internal static class RecordFields
{
    private static readonly string[] MediaKeys = ["image", "image_base64", "audio", "audio_base64", "video"];

    /// <summary>Builds a record from a JSON object; <paramref name="baseDir"/> resolves relative media paths.</summary>
    public static DatasetRecord FromJson(JsonElement row, string baseDir, string? fallbackId = null, MediaInput? media = null, EncoderKind? mediaKind = null, IReadOnlyList<string>? extraCaptions = null)
    {
        if (row.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("not a JSON object");
        }

        string id = Text(row, "id") ?? Text(row, "key") ?? fallbackId ?? throw new FormatException("no id");
        var kind = mediaKind ?? EncoderKind.Image;
        if (media is null)
        {
            foreach (var key in MediaKeys)
            {
                if (row.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String)
                {
                    (kind, media) = Media(key, v.GetString()!, baseDir);
                    break;
                }
            }
        }

        var captions = new List<string>(extraCaptions ?? []);
        if (row.TryGetProperty("captions", out var cs) && cs.ValueKind == JsonValueKind.Array)
        {
            captions.AddRange(cs.EnumerateArray().Select(c => c.ValueKind == JsonValueKind.String ? c.GetString()! : ""));
        }

        if (Text(row, "caption") is { } one)
        {
            captions.Add(one);
        }

        Dictionary<string, string>? labels = null;
        if (row.TryGetProperty("labels", out var ls) && ls.ValueKind == JsonValueKind.Object)
        {
            labels = [];
            foreach (var p in ls.EnumerateObject())
            {
                labels[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            }
        }

        return new DatasetRecord(id, kind, media ?? throw new FormatException("no image, image_base64, audio or video field"), captions, labels);
    }

    /// <summary>The media of a manifest field.</summary>
    public static (EncoderKind, MediaInput) Media(string key, string value, string baseDir)
    {
        try
        {
            return key switch
            {
                "image" => (EncoderKind.Image, new MediaInput(Path: Path.GetFullPath(value, baseDir))),
                "image_base64" => (EncoderKind.Image, new MediaInput(Bytes: Convert.FromBase64String(value))),
                "audio" => (EncoderKind.Audio, new MediaInput(Path: Path.GetFullPath(value, baseDir))),
                "audio_base64" => (EncoderKind.Audio, new MediaInput(Bytes: Convert.FromBase64String(value))),
                _ => (EncoderKind.Video, new MediaInput(Path: Path.GetFullPath(value, baseDir))),
            };
        }
        catch (FormatException)
        {
            throw new FormatException($"{key} is not valid base64");
        }
        catch (Exception e) when (e is ArgumentException or PathTooLongException)
        {
            // A NUL or another character no file name may hold: the row is skipped with this reason, not a crash.
            throw new FormatException($"{key} is not a usable file path ({e.Message})");
        }
    }

    private static string? Text(JsonElement row, string name) => row.TryGetProperty(name, out var v)
        ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            JsonValueKind.Null => null,
            _ => v.GetRawText(),
        }
        : null;

    /// <summary>An object value as text (Parquet cells).</summary>
    public static string? CellText(object? value) => value switch
    {
        null => null,
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
