using System.Text.Json;
using Scar.Client;

namespace Scar.Grains.Tests;

public sealed class CliTests
{
    private static string? ConformanceFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Scar.sln")))
            {
                string candidate = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "conformance"));
                return Directory.Exists(candidate) ? candidate : null;
            }
        }

        return null;
    }

    private static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = await Cli.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Fds_json_matches_the_conformance_vector()
    {
        string folder = ConformanceFolder() ?? throw new InvalidOperationException("../shared/conformance is missing beside the project root");
        string file = Path.Combine(folder, "fds", "flickr30k_clip_Total.json");
        var (code, output, _) = await RunAsync("fds", "--input", file, "--json");
        Assert.Equal(ExitCodes.Ok, code);
        using var actual = JsonDocument.Parse(output);
        using var expected = JsonDocument.Parse(File.ReadAllText(file));
        double want = expected.RootElement.GetProperty("expected").GetProperty("fds_total").GetDouble();
        double got = actual.RootElement.GetProperty("fds_total").GetDouble();
        Assert.True(Math.Abs(got - want) <= 1e-9 * want, $"{got} vs {want}");
        Assert.False(actual.RootElement.GetProperty("fallback").GetBoolean());
        Assert.Equal(expected.RootElement.GetProperty("h").GetArrayLength(), actual.RootElement.GetProperty("fds_per_task").GetArrayLength());
    }

    [Fact]
    public async Task Measures_json_matches_the_first_conformance_case()
    {
        string folder = ConformanceFolder() ?? throw new InvalidOperationException("../shared/conformance is missing beside the project root");
        using var all = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "measures.json")));
        var first = all.RootElement.GetProperty("measures")[0];
        string input = Path.Combine(Path.GetTempPath(), $"scar-measures-{Guid.NewGuid():N}.json");
        File.WriteAllText(input, first.GetRawText());
        try
        {
            var (code, output, _) = await RunAsync("measures", "--input", input, "--json");
            Assert.Equal(ExitCodes.Ok, code);
            using var actual = JsonDocument.Parse(output);
            var expected = first.GetProperty("expected");
            Assert.Equal(expected.GetProperty("train_accuracy").GetDouble(), actual.RootElement.GetProperty("train_accuracy").GetDouble(), 9);
            var tasks = actual.RootElement.GetProperty("tasks");
            for (int c = 0; c < tasks.GetArrayLength(); c++)
            {
                Assert.Equal(expected.GetProperty("h")[c].GetDouble(), tasks[c].GetProperty("h").GetDouble(), 6);
            }
        }
        finally
        {
            File.Delete(input);
        }
    }

    [Fact]
    public async Task Report_prints_summary_md_or_exits_with_bad_input_naming_the_folder()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"scar-report-{Guid.NewGuid():N}");
        var (code, output, error) = await RunAsync("report", dir);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal("", output);
        Assert.Contains(dir, error);
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "summary.md"), "# SCAR report\n\nN = 1\n");
            (code, output, _) = await RunAsync("report", dir);
            Assert.Equal(ExitCodes.Ok, code);
            Assert.Equal("# SCAR report\n\nN = 1\n", output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_missing_input_file_exits_with_bad_input_and_names_it()
    {
        var (code, output, error) = await RunAsync("fds", "--input", "/nonexistent/h.json", "--json");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal("", output);
        Assert.Contains("/nonexistent/h.json", error);
    }

    [Fact]
    public async Task Malformed_embeddings_option_and_unknown_options_are_bad_input()
    {
        var (code, _, error) = await RunAsync("characterize", "--embeddings", "image.npy", "--embeddings", "text=t.npy", "--k", "3", "--out", "x");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("NAME=PATH", error);

        (code, _, error) = await RunAsync("characterize", "--bogus");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--bogus", error);
    }

    [Fact]
    public async Task Demo_runs_on_the_embedded_silo_and_json_mode_prints_only_the_report()
    {
        string outDir = Path.Combine(Path.GetTempPath(), $"scar-demo-{Guid.NewGuid():N}");
        try
        {
            var (code, output, error) = await RunAsync("demo", "--out", outDir, "--n", "300", "--concepts", "3", "--json");
            Assert.True(code == ExitCodes.Ok, error);
            using var report = JsonDocument.Parse(output);
            Assert.Equal(300, report.RootElement.GetProperty("n").GetInt32());
            Assert.Equal(2, report.RootElement.GetProperty("modalities").GetArrayLength());
            Assert.True(File.Exists(Path.Combine(outDir, "report.json")));
            Assert.True(File.Exists(Path.Combine(outDir, "data", "image.npy")));
        }
        finally
        {
            Directory.Delete(outDir, recursive: true);
        }
    }

    [Fact]
    public async Task Characterize_with_unpaired_rows_exits_with_bad_input()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"scar-unpaired-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            var a = new Core.Numerics.FloatMatrix(40, 4);
            var b = new Core.Numerics.FloatMatrix(39, 4);
            for (int i = 0; i < a.Data.Length; i++)
            {
                a.Data[i] = i % 7;
            }

            Core.IO.NpyFile.WriteMatrix(Path.Combine(dir, "a.npy"), a);
            Core.IO.NpyFile.WriteMatrix(Path.Combine(dir, "b.npy"), b);
            var (code, _, error) = await RunAsync("characterize", "--embeddings", $"image={dir}/a.npy", "--embeddings", $"text={dir}/b.npy",
                "--k", "3", "--out", Path.Combine(dir, "out"));
            Assert.Equal(ExitCodes.BadInput, code);
            Assert.Contains("unpaired rows", error);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
