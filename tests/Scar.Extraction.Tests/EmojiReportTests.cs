using System.Text.RegularExpressions;
using Scar.Core.Pipeline;
using Scar.Core.Tests;
using Scar.Extraction.Encoders;
using Xunit.Abstractions;

namespace Scar.Extraction.Tests;

/// <summary>The emoji example end to end: raw PNGs and captions → embeddings → characterization → report.html in Chromium.</summary>
public sealed class EmojiReportTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_emoji_slice_report_renders_in_headless_chromium_with_every_plot()
    {
        string? chromium = Chromium.Find();
        if (chromium is null)
        {
            const string message = "chromium is not installed (apt-get install -y chromium): the HTML report was not rendered";
            Assert.False(string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase), message);
            output.WriteLine("skipped: " + message);
            return;
        }

        string folder = Path.Combine(Path.GetTempPath(), $"scar-emoji-report-{Guid.NewGuid():N}");
        try
        {
            var settings = new ExtractionSettings { OutDir = Path.Combine(folder, "embeddings"), Provider = ExecutionProviderKind.Cpu };
            var extracted = await Extractor.RunAsync(EmojiData.Instance.SliceManifest, null, settings, shardSize: 200);
            var options = new CharacterizeOptions
            {
                Modalities = [new ModalityInput("image", extracted.MediaPath), new ModalityInput("text", extracted.TextPath)],
                GroupsPath = extracted.GroupsPath,
                K = 5,
                Ratios = [1, 2, 5, 10],
                BootstrapResamples = 50,
            };
            string outDir = Path.Combine(folder, "out");
            var result = await Characterizer.RunLocalAsync(options, outDir);
            Assert.Equal(400, result.Report.N);

            string html = Path.Combine(outDir, "report.html");
            var (code, dom, err) = Chromium.Run(chromium, "--dump-dom", new Uri(html).AbsoluteUri);
            Assert.True(code == 0, $"chromium exited with {code}: {err}");
            Assert.Equal(7, Regex.Count(dom, "<svg[ >]"));
            foreach (string id in new[] { "plot-h-image", "plot-h-text", "plot-acc-image", "plot-acc-text", "plot-fds-tasks", "plot-fds-lc-tasks", "plot-scar", "summary", "completion" })
            {
                Assert.Contains($"id=\"{id}\"", dom, StringComparison.Ordinal);
            }

            Assert.Contains("N = 320", dom, StringComparison.Ordinal);
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
