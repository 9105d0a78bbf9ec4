using System.Text.Json;
using System.Text.RegularExpressions;
using Scar.Core.IO;
using Scar.Core.Pipeline;
using Xunit.Abstractions;

namespace Scar.Core.Tests;

public sealed partial class ReportTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Demo_sized_report_html_renders_in_headless_chromium_with_every_plot()
    {
        string? chromium = Chromium.Find();
        if (chromium is null)
        {
            const string message = "chromium is not installed (apt-get install -y chromium): the HTML report was not rendered";
            Assert.False(string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase), message);
            output.WriteLine("skipped: " + message);
            return;
        }

        // The demo's corpus and settings (scar demo: 6000 pairs, 6 concepts, d = 128 / 96, seed 42).
        string folder = Path.Combine(Path.GetTempPath(), $"scar-html-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            var corpus = SyntheticCorpusGenerator.Generate(new SyntheticCorpusOptions { Seed = 42 });
            string image = Path.Combine(folder, "image.npy"), text = Path.Combine(folder, "text.npy");
            NpyFile.WriteMatrix(image, corpus.A);
            NpyFile.WriteMatrix(text, corpus.B);
            var options = new CharacterizeOptions { Modalities = [new ModalityInput("image", image), new ModalityInput("text", text)], K = 6, Seed = 42 };
            string outDir = Path.Combine(folder, "out");
            await Characterizer.RunLocalAsync(options, outDir);

            string html = Path.Combine(outDir, "report.html");
            Assert.True(File.Exists(Path.Combine(outDir, "summary.md")));
            Assert.DoesNotContain("<script", File.ReadAllText(html), StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("http://", File.ReadAllText(html).Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal), StringComparison.Ordinal);

            var (code, dom, err) = Chromium.Run(chromium, "--dump-dom", new Uri(html).AbsoluteUri);
            Assert.True(code == 0, $"chromium exited with {code}: {err}");
            Assert.Equal(7, SvgTag().Count(dom)); // h and accuracy per modality, two per-task FDS charts, SCAR bars
            foreach (string id in new[] { "plot-h-image", "plot-h-text", "plot-acc-image", "plot-acc-text", "plot-fds-tasks", "plot-fds-lc-tasks", "plot-scar", "summary", "completion", "overview" })
            {
                Assert.Contains($"id=\"{id}\"", dom, StringComparison.Ordinal);
            }

            Assert.True(Regex.Count(dom, "<polyline") >= 24, "h curves and fits are drawn");
            Assert.True(Regex.Count(dom, "class=\"bar\"") >= 24, "per-task and SCAR bars are drawn");
            Assert.Contains("N = 4,800", dom, StringComparison.Ordinal);

            string png = Path.Combine(folder, "report.png");
            var (shotCode, _, shotErr) = Chromium.Run(chromium, "--window-size=1200,2400", "--screenshot=" + png, new Uri(html).AbsoluteUri);
            Assert.True(shotCode == 0 && new FileInfo(png).Length > 10_000, $"screenshot failed ({shotCode}): {shotErr}");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Repeats_give_mean_and_range_and_keep_each_repeat_apart()
    {
        using var data = new PipelineTestData(items: 600);
        var options = data.Options() with { Repeats = 2, BootstrapResamples = 20 };
        string outDir = data.Path2("run");
        var result = await Characterizer.RunLocalAsync(options, outDir);

        var repeats = result.Report.Repeats!;
        Assert.Equal(2, repeats.Count);
        Assert.Equal(["repeat-0", "repeat-1"], repeats.Folders);
        Assert.NotEqual(repeats.Seeds[0], repeats.Seeds[1]);
        Assert.Equal(Numerics.DeterministicRandom.Derive(options.Seed, "repeat", 1), repeats.Seeds[1]);
        var r0 = JsonSerializer.Deserialize<CharacterizationReport>(File.ReadAllText(Path.Combine(outDir, "repeat-0", "report.json")), Characterizer.JsonOptions)!;
        var r1 = JsonSerializer.Deserialize<CharacterizationReport>(File.ReadAllText(Path.Combine(outDir, "repeat-1", "report.json")), Characterizer.JsonOptions)!;
        for (int i = 0; i < 2; i++)
        {
            var s = repeats.Modalities[i];
            double[] fds = [r0.Modalities[i].FdsTotal!.Value, r1.Modalities[i].FdsTotal!.Value];
            Assert.Equal(fds.Average(), s.FdsTotal.Mean!.Value, 6);
            Assert.Equal(fds.Max() - fds.Min(), s.FdsTotal.Range!.Value, 6);
            double[] gain = [r0.Modalities[i].Completion.ScarAccuracy - r0.Modalities[i].Completion.PrimaryAccuracy, r1.Modalities[i].Completion.ScarAccuracy - r1.Modalities[i].Completion.PrimaryAccuracy];
            Assert.Equal(gain.Average(), s.ScarGain.Mean!.Value, 9);
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "report.json")));
        Assert.Equal(2, doc.RootElement.GetProperty("repeats").GetProperty("count").GetInt32());
        Assert.True(doc.RootElement.GetProperty("modalities")[0].TryGetProperty("fds_learning_curve", out var lc));
        Assert.True(lc.TryGetProperty("status", out _));
        Assert.True(doc.RootElement.GetProperty("modalities")[0].GetProperty("tasks")[0].TryGetProperty("fds_learning_curve", out _));
        string summary = File.ReadAllText(Path.Combine(outDir, "summary.md"));
        Assert.Contains(" ± ", summary, StringComparison.Ordinal);
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"FDS ≈ {r0.Modalities[0].FdsTotal:N0}"), summary, StringComparison.Ordinal);
    }

    [GeneratedRegex("<svg[ >]")]
    private static partial Regex SvgTag();
}
