using System.Diagnostics;
using System.Net.Sockets;
using Scar.Abstractions;
using Scar.Client;

namespace Scar.Grains.Tests;

/// <summary>
/// Real silo processes (the built Scar.Silo.dll) with fast failure detection, each on its own ports: on Redis
/// membership and Redis storage by default (the fault tests; Redis comes from SCAR_TEST_REDIS, .ci/run starts one on
/// 127.0.0.1:6390), or on what <c>environment</c> sets (SCAR_CLUSTERING, SCAR_STORAGE, ...). Each cluster is its own
/// service (SCAR_SERVICE_ID = its cluster id), so that no state of another test's cluster is shared.
/// </summary>
internal sealed class SiloProcessCluster : IAsyncDisposable
{
    private readonly Process?[] _silos;
    private readonly string _logFolder;
    private readonly IReadOnlyDictionary<string, string> _environment;

    public SiloProcessCluster(int silos, IReadOnlyDictionary<string, string>? environment = null)
    {
        _silos = new Process?[silos];
        _environment = environment ?? new Dictionary<string, string>();
        ClusterId = $"fault-{Guid.NewGuid():N}";
        // The silos' logs stay after the test, for a failure's post-mortem.
        _logFolder = Path.Combine(Path.GetTempPath(), "scar-fault-logs", ClusterId);
        Directory.CreateDirectory(_logFolder);
        // Ports from a range the other fixtures do not use, different for every cluster of this test run.
        int offset = Random.Shared.Next(0, 400) * 4;
        BaseSiloPort = 21000 + offset;
        BaseGatewayPort = 23000 + offset;
    }

    public static string RedisEndpoint => Environment.GetEnvironmentVariable("SCAR_TEST_REDIS") is { Length: > 0 } r ? r : "127.0.0.1:6390";

    public string ClusterId { get; }

    /// <summary>The silos' SCAR_SERVICE_ID: the cluster's own, so that no other test's job state is shared.</summary>
    public string ServiceId => ClusterId;

    public int BaseSiloPort { get; }

    public int BaseGatewayPort { get; }

    public string Gateways => string.Join(',', Enumerable.Range(0, _silos.Length).Select(i => $"localhost:{BaseGatewayPort + i}"));

    /// <summary>Whether the test Redis answers; false fails the test under CI=true.</summary>
    public static bool RedisAvailable()
    {
        string[] parts = RedisEndpoint.Split(':');
        try
        {
            using var tcp = new TcpClient();
            tcp.Connect(parts[0], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
            return true;
        }
        catch (SocketException)
        {
            Assert.False(Environment.GetEnvironmentVariable("CI") == "true", $"Redis is not reachable at {RedisEndpoint} (.ci/run starts redis-server there)");
            return false;
        }
    }

    public static string SiloDll()
    {
        string dir = AppContext.BaseDirectory;
        string configuration = dir.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var root = new DirectoryInfo(dir);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Scar.sln")))
        {
            root = root.Parent;
        }

        string dll = Path.Combine(root!.FullName, "src", "Silo", "bin", configuration, "net10.0", "Scar.Silo.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution first");
        return dll;
    }

    public async Task StartAsync(int index)
    {
        var start = new ProcessStartInfo("dotnet", [SiloDll()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["SCAR_CLUSTERING"] = "redis";
        start.Environment["SCAR_STORAGE"] = "redis";
        start.Environment["SCAR_REDIS"] = RedisEndpoint;
        start.Environment["SCAR_CLUSTER_ID"] = ClusterId;
        start.Environment["SCAR_SILO_PORT"] = (BaseSiloPort + index).ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["SCAR_GATEWAY_PORT"] = (BaseGatewayPort + index).ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["SCAR_FAST_FAILURE_DETECTION"] = "1";
        start.Environment["SCAR_PROBE_CONCURRENCY"] = "3";
        start.Environment["SCAR_SHUTDOWN_TIMEOUT_SECONDS"] = "20";
        start.Environment["SCAR_SERVICE_ID"] = ServiceId;
        start.Environment["DOTNET_gcServer"] = "0";
        foreach (var (name, value) in _environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        var log = new StreamWriter(Path.Combine(_logFolder, $"silo-{index}-{process.Id}.log")) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _silos[index] = process;

        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync("127.0.0.1", BaseGatewayPort + index);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(250);
            }
        }
    }

    public async Task StartAllAsync()
    {
        for (int i = 0; i < _silos.Length; i++)
        {
            await StartAsync(i);
        }
    }

    /// <summary>The index of the silo whose address (Shost:port:generation) names <paramref name="siloAddress"/>'s port.</summary>
    public int IndexOf(string siloAddress) =>
        Enumerable.Range(0, _silos.Length).Single(i => siloAddress.Contains($":{BaseSiloPort + i}:", StringComparison.Ordinal));

    /// <summary>SIGKILL: the process is gone at once, without telling the cluster.</summary>
    public void Kill(int index)
    {
        _silos[index]!.Kill();
        _silos[index]!.WaitForExit();
        _silos[index] = null;
    }

    /// <summary>SIGTERM: graceful shutdown, then waits for the process to exit.</summary>
    public async Task TerminateAsync(int index)
    {
        var process = _silos[index]!;
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        _silos[index] = null;
    }

    public async Task<ClusterConnection> ConnectAsync() =>
        await ClusterConnection.ConnectAsync(Gateways, ClusterId, CancellationToken.None, serviceId: ServiceId);

    /// <summary>The log lines of every silo process started so far.</summary>
    public IEnumerable<string> LogLines() =>
        Directory.EnumerateFiles(_logFolder, "*.log").SelectMany(f =>
        {
            using var stream = new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd().Split('\n');
        });

    public async ValueTask DisposeAsync()
    {
        for (int i = 0; i < _silos.Length; i++)
        {
            if (_silos[i] is { HasExited: false } p)
            {
                p.Kill();
                await p.WaitForExitAsync();
            }
        }
    }

    /// <summary>The small job the real-process tests run (shards of 256 rows, so every silo holds some).</summary>
    public static JobSpec FaultSpec(TestCorpus corpus, string name) =>
        corpus.Spec(name) with { ShardRows = 256, MaxEpochs = 60, Ratios = [1, 2, 5, 10] };

    /// <summary>report.json of the same job run in process: what every disturbed run must reproduce.</summary>
    public static async Task<string> ReferenceReportAsync(TestCorpus corpus, JobSpec spec)
    {
        string dir = Path.Combine(corpus.Folder, "local");
        await Scar.Core.Pipeline.Characterizer.RunLocalAsync(spec.ToOptions(), dir);
        return File.ReadAllText(Path.Combine(dir, "report.json"));
    }

    /// <summary>Polls the job until <paramref name="done"/> holds or it stops running (8 minutes by default).</summary>
    public static async Task<JobStatus> UntilAsync(ScarClient client, string jobId, Func<JobStatus, bool> done, TimeSpan? limit = null)
    {
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromMinutes(8));
        while (true)
        {
            var status = await StatusAsync(client, jobId);
            if (done(status) || status.State != JobState.Running)
            {
                return status;
            }

            Assert.True(DateTime.UtcNow < deadline, $"job {jobId} did not get there in time: {status}");
            await Task.Delay(100);
        }
    }

    /// <summary>The job's status, retrying while the cluster recovers from a lost silo.</summary>
    public static async Task<JobStatus> StatusAsync(ScarClient client, string jobId)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                return await client.GetStatusAsync(jobId, timeout.Token);
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.WriteLine(line);
        }
    }
}
