using System.Diagnostics;
using System.Text.Json;

namespace Scar.Extraction.Tests;

/// <summary>The real emoji set (scripts/fetch-emoji.sh), fetched once if missing, and a slice manifest of it.</summary>
public sealed class EmojiData
{
    private static readonly Lazy<EmojiData> Shared = new(() => new EmojiData());

    private EmojiData()
    {
        Root = FindRepoRoot();
        Manifest = Path.Combine(Root, "data", "emoji", "manifest.jsonl");
        if (!File.Exists(Manifest))
        {
            var p = Process.Start(new ProcessStartInfo("bash", [Path.Combine(Root, "scripts", "fetch-emoji.sh")]) { WorkingDirectory = Root })!;
            p.WaitForExit();
            Assert.True(p.ExitCode == 0 && File.Exists(Manifest), "scripts/fetch-emoji.sh failed; it needs npm (apt-get install -y npm) and the npm registry");
        }

        // A slice: 400 items spread over the whole list (every 9th), so that all categories appear.
        var lines = File.ReadAllLines(Manifest).Where((_, i) => i % 9 == 0).Take(400).ToArray();
        SliceDir = Path.Combine(Path.GetTempPath(), "scar-emoji-slice");
        Directory.CreateDirectory(SliceDir);
        string emojiDir = Path.GetDirectoryName(Manifest)!;
        SliceManifest = Path.Combine(SliceDir, "manifest.jsonl");
        File.WriteAllLines(SliceManifest, lines.Select(l =>
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(l)!;
            node["image"] = Path.Combine(emojiDir, (string)node["image"]!);
            return node.ToJsonString();
        }));
        Categories = lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("labels").GetProperty("category").GetString()!).ToArray();
    }

    /// <summary>The shared instance.</summary>
    public static EmojiData Instance => Shared.Value;

    /// <summary>Repository root.</summary>
    public string Root { get; }

    /// <summary>data/emoji/manifest.jsonl.</summary>
    public string Manifest { get; }

    /// <summary>Folder of the slice manifest.</summary>
    public string SliceDir { get; }

    /// <summary>A 400-record slice with absolute image paths.</summary>
    public string SliceManifest { get; }

    /// <summary>Category of each slice record.</summary>
    public string[] Categories { get; }

    /// <summary>The repository root (the folder holding Scar.sln).</summary>
    public static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Scar.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Scar.sln not found above the test binaries");
    }
}
