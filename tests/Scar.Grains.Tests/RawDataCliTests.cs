using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Scar.Client;

namespace Scar.Grains.Tests;

/// <summary><c>scar extract</c> and <c>scar characterize --manifest</c> on a small slice of the real emoji set.</summary>
public sealed class RawDataCliTests
{
    private static string SliceManifest(int count)
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "Scar.sln")))
        {
            root = root.Parent!;
        }

        string manifest = Path.Combine(root.FullName, "data", "emoji", "manifest.jsonl");
        if (!File.Exists(manifest))
        {
            using var p = Process.Start(new ProcessStartInfo("bash", [Path.Combine(root.FullName, "scripts", "fetch-emoji.sh")]) { WorkingDirectory = root.FullName })!;
            p.WaitForExit();
        }

        string dir = Directory.CreateTempSubdirectory("scar-raw-cli-").FullName;
        string slice = Path.Combine(dir, "manifest.jsonl");
        File.WriteAllLines(slice, File.ReadAllLines(manifest).Where((_, i) => i % 40 == 0).Take(count).Select(l =>
        {
            var node = JsonNode.Parse(l)!;
            node["image"] = Path.Combine(Path.GetDirectoryName(manifest)!, (string)node["image"]!);
            return node.ToJsonString();
        }));
        return slice;
    }

    [Fact]
    public async Task Characterize_from_a_manifest_extracts_on_grains_then_characterizes()
    {
        string manifest = SliceManifest(60);
        string outDir = Path.Combine(Path.GetDirectoryName(manifest)!, "out");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = await Cli.RunAsync(["characterize", "--manifest", manifest, "--provider", "cpu", "--shard-size", "25", "--k", "3", "--ratios", "1,2", "--epochs", "5", "--out", outDir, "--json"], stdout, stderr);
        Assert.True(code == ExitCodes.Ok, stderr.ToString());
        using var report = JsonDocument.Parse(stdout.ToString());
        var names = report.RootElement.GetProperty("modalities").EnumerateArray().Select(m => m.GetProperty("name").GetString()!).ToArray();
        Assert.Equal(["image", "text"], names);
        Assert.Equal(60, report.RootElement.GetProperty("n").GetInt32());
        Assert.Equal(3, Directory.GetFiles(Path.Combine(outDir, "embeddings", "shards"), "_DONE", SearchOption.AllDirectories).Length);

        // scar extract into the same folder finds every shard finished.
        var again = new StringWriter();
        code = await Cli.RunAsync(["extract", "--manifest", manifest, "--provider", "cpu", "--shard-size", "25", "--out", Path.Combine(outDir, "embeddings")], again, stderr);
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("extracted 60 items", again.ToString(), StringComparison.Ordinal);
        Assert.Equal(3, Enumerable.Range(0, 3).Count(i => stderr.ToString().Contains($"shard {i} (", StringComparison.Ordinal) && stderr.ToString().Contains("(reused)", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_missing_manifest_is_bad_input()
    {
        var stderr = new StringWriter();
        int code = await Cli.RunAsync(["characterize", "--manifest", "/nonexistent/manifest.jsonl", "--k", "3", "--out", Path.GetTempPath()], new StringWriter(), stderr);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("does not exist", stderr.ToString(), StringComparison.Ordinal);
    }
}
