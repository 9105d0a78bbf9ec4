using System.Text.Json;
using Scar.Abstractions;
using Scar.Accelerated;
using Scar.Client;
using Scar.Core;
using Scar.Core.IO;
using Scar.Core.Pipeline;
using Scar.Silo;

namespace Scar.Grains.Tests;

/// <summary>SCAR_ACCELERATOR: its parsing and errors, and a job whose shards run on ONNX Runtime (the CPU provider here).</summary>
public sealed class AcceleratedSiloTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"scar-accel-silo-{Guid.NewGuid():N}");

    public AcceleratedSiloTests() => Directory.CreateDirectory(_folder);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Theory]
    [InlineData(null, "none")]
    [InlineData("", "none")]
    [InlineData("none", "none")]
    [InlineData(" CUDA ", "cuda")]
    [InlineData("gpu", "cuda")]
    [InlineData("auto", "auto")]
    [InlineData("cpu", "cpu")]
    [InlineData("onnx-cpu", "cpu")]
    public void Settings_are_parsed(string? value, string expected) => Assert.Equal(expected, ShardAccelerators.Parse(value));

    [Fact]
    public void An_unknown_setting_names_the_variable_and_the_choices()
    {
        var error = Assert.Throws<ScarInputException>(() => ShardAccelerators.Parse("tpu"));
        Assert.Equal("SCAR_ACCELERATOR", error.Input);
        Assert.Contains("'tpu'", error.Message);
        Assert.Contains("cuda, auto", error.Message);
    }

    [Fact]
    public void Cuda_on_a_machine_without_it_stops_with_the_reason_and_auto_falls_back_to_the_managed_kernels()
    {
        if (CudaRuntime.LibrariesPresent())
        {
            return; // a GPU machine
        }

        var error = Assert.Throws<ScarInputException>(() => ShardAccelerators.Open("cuda"));
        Assert.Equal("SCAR_ACCELERATOR", error.Input);
        Assert.Contains("libcudart", error.Message);
        Assert.Contains("SCAR_ACCELERATOR=auto or none", error.Message);
        Assert.Null(ShardAccelerators.Open("auto"));
        Assert.Null(ShardAccelerators.Open("none"));
        using var cpu = (OnnxShardAccelerator)ShardAccelerators.Open("cpu")!;
        Assert.Equal("CPU", cpu.Provider);
    }

    [Theory]
    [InlineData("tpu", "'tpu' is not an accelerator")]
    [InlineData("cuda", "libcudart")]
    public async Task A_silo_process_with_a_bad_or_unavailable_accelerator_exits_with_code_2_and_the_reason(string value, string reason)
    {
        if (value == "cuda" && CudaRuntime.LibrariesPresent())
        {
            return; // a GPU machine: cuda starts there
        }

        var (code, error) = await RunProcessAsync(SiloProcessCluster.SiloDll(), [], value);
        Assert.Equal(2, code);
        Assert.Contains("SCAR_ACCELERATOR", error);
        Assert.Contains(reason, error);
    }

    [Fact]
    public async Task The_scar_demo_refuses_a_bad_accelerator_before_generating_its_corpus()
    {
        string siloDir = Path.GetDirectoryName(SiloProcessCluster.SiloDll())!; // src/Silo/bin/CONFIGURATION/net10.0
        string configuration = new DirectoryInfo(siloDir).Parent!.Name;
        string scar = Path.GetFullPath(Path.Combine(siloDir, "..", "..", "..", "..", "Client", "bin", configuration, "net10.0", "scar.dll"));
        Assert.True(File.Exists(scar), $"{scar} is missing: build the solution first");
        string outDir = Path.Combine(_folder, "demo");
        var (code, error) = await RunProcessAsync(scar, ["demo", "--out", outDir, "--n", "300", "--concepts", "3"], "tpu");
        Assert.Equal(2, code);
        Assert.Contains("SCAR_ACCELERATOR: 'tpu' is not an accelerator", error);
        Assert.False(Directory.Exists(outDir), "the corpus was written before the setting was checked");
    }

    private static async Task<(int Code, string Error)> RunProcessAsync(string dll, string[] args, string accelerator)
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet", [dll, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["SCAR_ACCELERATOR"] = accelerator;
        start.Environment["SCAR_SILO_PORT"] = "22961"; // refused before it binds anything
        start.Environment["SCAR_GATEWAY_PORT"] = "32961";
        using var process = System.Diagnostics.Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(dll)} with SCAR_ACCELERATOR={accelerator} did not exit within 90 s: {await output}");
        }

        return (process.ExitCode, await error + await output);
    }

    [Fact]
    public async Task A_job_whose_shards_run_on_the_accelerator_matches_the_managed_run()
    {
        string data = Path.Combine(_folder, "data");
        Directory.CreateDirectory(data);
        var corpus = SyntheticCorpusGenerator.Generate(new SyntheticCorpusOptions { Items = 800, Concepts = 3, DimA = 40, DimB = 32, Seed = 5 });
        string image = Path.Combine(data, "image.npy"), text = Path.Combine(data, "text.npy");
        NpyFile.WriteMatrix(image, corpus.A);
        NpyFile.WriteMatrix(text, corpus.B);

        JsonDocument managed = await RunAsync(image, text, Path.Combine(_folder, "managed"), accelerator: null);
        var accelerator = new OnnxShardAccelerator(AcceleratorProvider.Cpu, threads: 1);
        JsonDocument accelerated = await RunAsync(image, text, Path.Combine(_folder, "accelerated"), accelerator);

        // The silo's shard grains used it: the k-means and probe graphs were opened (once each per shape).
        Assert.True(accelerator.SessionsOpened >= 2, $"{accelerator.SessionsOpened} sessions opened");

        // Same pseudo-labels (well separated data), and the same method's figures to float32 rounding.
        Assert.Equal(NpyFile.ReadIntVector(Path.Combine(_folder, "managed", "work", "image.labels.npy")),
            NpyFile.ReadIntVector(Path.Combine(_folder, "accelerated", "work", "image.labels.npy")));
        var m = managed.RootElement.GetProperty("modalities");
        var a = accelerated.RootElement.GetProperty("modalities");
        for (int i = 0; i < m.GetArrayLength(); i++)
        {
            foreach (string field in new[] { "train_accuracy", "test_accuracy" })
            {
                Assert.Equal(m[i].GetProperty(field).GetDouble(), a[i].GetProperty(field).GetDouble(), 0.01);
            }

            double fdsManaged = m[i].GetProperty("fds_total").GetDouble(), fdsAccelerated = a[i].GetProperty("fds_total").GetDouble();
            Assert.True(Math.Abs(fdsManaged - fdsAccelerated) <= 0.01 * Math.Abs(fdsManaged), $"{m[i].GetProperty("name")}: FDS {fdsManaged} managed, {fdsAccelerated} accelerated");
        }
    }

    private static async Task<JsonDocument> RunAsync(string image, string text, string outDir, Core.Distributed.IShardAccelerator? accelerator)
    {
        await using var silo = await EmbeddedSilo.StartAsync(accelerator: accelerator);
        var client = new ScarClient(silo.Client);
        var spec = new JobSpec { Modalities = [new ModalitySpec("image", image), new ModalitySpec("text", text)], K = 3, Seed = 7, OutDir = outDir };
        string jobId = $"job-{Guid.NewGuid():N}";
        await client.SubmitAsync(jobId, spec);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        JobStatus status = await client.WaitAsync(jobId, timeout.Token);
        Assert.True(status.State == JobState.Done, $"job ended {status.State}: {status.Error}");
        return JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "report.json")));
    }
}
