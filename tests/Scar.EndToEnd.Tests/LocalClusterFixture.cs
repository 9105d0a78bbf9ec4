using System.Diagnostics;
using Scar.Core.IO;
using Scar.Core.Pipeline;

namespace Scar.EndToEnd.Tests;

/// <summary>
/// Two real silo processes started with scripts/local-cluster.sh on their own ports, cluster id and folder, with
/// the HTTP API on (token, data root = a folder holding a small synthetic corpus). Stopped on dispose.
/// </summary>
public sealed class LocalClusterFixture : IAsyncLifetime
{
    public const string Token = "e2e-secret-token";
    private const int BaseSiloPort = 22311;
    private const int BaseGatewayPort = 32311;
    private const int BaseHttpPort = 38311;

    public LocalClusterFixture()
    {
        RepoRoot = FindRepoRoot();
        Folder = Path.Combine(Path.GetTempPath(), $"scar-e2e-{Guid.NewGuid():N}");
        DataRoot = Path.Combine(Folder, "data");
        ClusterDir = Path.Combine(Folder, "cluster");
        ClusterId = $"e2e-{Guid.NewGuid():N}"[..16];
    }

    public string RepoRoot { get; }

    public string Folder { get; }

    public string DataRoot { get; }

    public string ClusterDir { get; }

    public string ClusterId { get; }

    public string Gateways { get; private set; } = "";

    public Uri HttpBase { get; } = new($"http://127.0.0.1:{BaseHttpPort}/");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(DataRoot);
        var corpus = SyntheticCorpusGenerator.Generate(new SyntheticCorpusOptions { Items = 400, Concepts = 3, DimA = 20, DimB = 12, LatentDim = 6, Seed = 3 });
        NpyFile.WriteMatrix(Path.Combine(DataRoot, "image.npy"), corpus.A);
        NpyFile.WriteMatrix(Path.Combine(DataRoot, "text.npy"), corpus.B);
        EnsureSiloBuilt();
        var (code, output) = await RunScriptAsync("up", "2");
        Assert.True(code == 0, $"local-cluster.sh up failed ({code}): {output}\n{Logs()}");
        Gateways = output.Trim().Split('\n')[^1].Trim();
        using var http = new HttpClient { BaseAddress = HttpBase, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                if ((await http.GetAsync("readyz")).IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            Assert.True(DateTime.UtcNow < deadline, $"the HTTP API did not become ready\n{Logs()}");
            await Task.Delay(250);
        }
    }

    public async Task DisposeAsync()
    {
        await RunScriptAsync("down");
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>The silo logs, for failure messages.</summary>
    public string Logs() => string.Join("\n", Directory.Exists(ClusterDir) ? Directory.GetFiles(ClusterDir, "*.log").Select(f => $"--- {f}\n{File.ReadAllText(f)}") : []);

    /// <summary>A job spec file in the data root (paths relative to it), returning its path.</summary>
    public string WriteSpec(string name, string jobId, string outName, string extra = "")
    {
        string path = Path.Combine(DataRoot, name);
        File.WriteAllText(path, $$"""
            {"job-id": "{{jobId}}", "embeddings": {"image": "image.npy", "text": "text.npy"}, "k": 3, "seed": 9,
             "out": "{{outName}}", "ratios": [1, 2, 5], "epochs": 20{{extra}}}
            """);
        return path;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Scar.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Scar.sln not found above the test binaries");
    }

    private void EnsureSiloBuilt()
    {
        string dll = Path.Combine(RepoRoot, "src", "Silo", "bin", "Release", "net10.0", "Scar.Silo.dll");
        DateTime newestSource = new[] { "Abstractions", "Core", "Extraction", "Grains", "Silo" }
            .SelectMany(p => Directory.EnumerateFiles(Path.Combine(RepoRoot, "src", p), "*.cs*", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Max(File.GetLastWriteTimeUtc);
        if (File.Exists(dll) && File.GetLastWriteTimeUtc(dll) >= newestSource)
        {
            return;
        }

        using var build = Process.Start(new ProcessStartInfo("dotnet", ["build", Path.Combine(RepoRoot, "src", "Silo"), "-c", "Release", "-v", "q", "-nologo"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        string output = build.StandardOutput.ReadToEnd() + build.StandardError.ReadToEnd();
        build.WaitForExit();
        Assert.True(build.ExitCode == 0, $"building the silo failed: {output}");
    }

    private async Task<(int Code, string Output)> RunScriptAsync(params string[] args)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(RepoRoot, "scripts", "local-cluster.sh"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["SCAR_CLUSTER_DIR"] = ClusterDir;
        start.Environment["SCAR_CLUSTER_ID"] = ClusterId;
        start.Environment["SCAR_BASE_SILO_PORT"] = BaseSiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["SCAR_BASE_GATEWAY_PORT"] = BaseGatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["SCAR_BASE_HTTP_PORT"] = BaseHttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["SCAR_API_TOKEN"] = Token;
        start.Environment["SCAR_DATA_ROOTS"] = DataRoot;
        start.Environment["SCAR_STORAGE"] = "file";
        start.Environment["SCAR_PROBE_CONCURRENCY"] = "2";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
