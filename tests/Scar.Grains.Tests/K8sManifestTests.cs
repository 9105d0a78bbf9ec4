using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Scar.Grains.Tests;

/// <summary>
/// k8s/ base and overlays: rendered and validated against the Kubernetes API schemas (tests/k8s/render.mjs with the
/// kubernetes-models npm package), then checked against what the silo reads: env names, ports, probe paths, labels.
/// </summary>
public sealed partial class K8sManifestTests
{
    private static readonly string Root = FindRoot();

    public static TheoryData<string> Folders => new() { "base", "overlays/cpu", "overlays/gpu", "overlays/tls" };

    [Theory]
    [MemberData(nameof(Folders))]
    public void Manifests_are_valid_Kubernetes_and_match_what_the_silo_reads(string folder)
    {
        if (Render(folder) is not { } resources)
        {
            return;
        }

        JsonElement Find(string kind, string name) => resources.Single(r => r.GetProperty("kind").GetString() == kind && r.GetProperty("metadata").GetProperty("name").GetString() == name);

        var siloNames = SiloSettingsNames();
        var deployment = Find("Deployment", "scar-silo");
        var pod = deployment.GetProperty("spec").GetProperty("template");
        var podLabels = Labels(pod.GetProperty("metadata"));
        var container = pod.GetProperty("spec").GetProperty("containers").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "silo");
        var ports = container.GetProperty("ports").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("containerPort").GetInt32());
        var env = container.GetProperty("env").EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!, e => e);
        var config = Find("ConfigMap", "scar-config").GetProperty("data").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        var secret = Find("Secret", "scar-api").GetProperty("stringData").EnumerateObject().Select(p => p.Name).ToList();

        // Every SCAR_* name set anywhere is one the silo (or its HTTP API) reads.
        foreach (string name in env.Keys.Concat(config.Keys).Concat(secret).Where(n => n.StartsWith("SCAR_", StringComparison.Ordinal)))
        {
            Assert.True(siloNames.Contains(name), $"{folder}: {name} is set but neither SiloSettings nor the HTTP API (HttpApiSettings) reads it");
        }

        // Ports: the env the silo reads equals the container ports the Service and probes use.
        Assert.Equal(ports["silo"], int.Parse(env["SCAR_SILO_PORT"].GetProperty("value").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(ports["gateway"], int.Parse(env["SCAR_GATEWAY_PORT"].GetProperty("value").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(ports["http"], int.Parse(env["SCAR_HTTP_PORT"].GetProperty("value").GetString()!, System.Globalization.CultureInfo.InvariantCulture));

        // Pod identity from the downward API; the token from the Secret.
        Assert.Equal("status.podIP", env["SCAR_ADVERTISED_IP"].GetProperty("valueFrom").GetProperty("fieldRef").GetProperty("fieldPath").GetString());
        Assert.Equal("metadata.name", env["SCAR_SILO_NAME"].GetProperty("valueFrom").GetProperty("fieldRef").GetProperty("fieldPath").GetString());
        Assert.Equal("scar-api", env["SCAR_API_TOKEN"].GetProperty("valueFrom").GetProperty("secretKeyRef").GetProperty("name").GetString());
        Assert.Equal("scar-config", container.GetProperty("envFrom")[0].GetProperty("configMapRef").GetProperty("name").GetString());

        // Probes on the HTTP API's health endpoints.
        Assert.Equal("/healthz", Probe(container, "startupProbe"));
        Assert.Equal("/healthz", Probe(container, "livenessProbe"));
        Assert.Equal("/readyz", Probe(container, "readinessProbe"));

        // GPU silos put their shards' heavy steps on the GPU, and refuse to start without CUDA; the others use the CPU.
        string? accelerator = env.TryGetValue("SCAR_ACCELERATOR", out var a) ? a.GetProperty("value").GetString() : null;
        Assert.Equal(folder == "overlays/gpu" ? "cuda" : null, accelerator);

        // Redis membership and storage, pointing at the Redis Service.
        Assert.Equal("0.0.0.0", config["SCAR_HTTP_BIND"]);
        Assert.Equal("redis", config["SCAR_CLUSTERING"]);
        Assert.Equal("redis", config["SCAR_STORAGE"]);
        var redisService = Find("Service", "scar-redis");
        int redisPort = redisService.GetProperty("spec").GetProperty("ports")[0].GetProperty("port").GetInt32();
        Assert.Equal($"scar-redis:{redisPort}", config["SCAR_REDIS"]);

        // A stopping silo gets longer than its own shutdown timeout.
        int shutdown = int.Parse(config["SCAR_SHUTDOWN_TIMEOUT_SECONDS"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(pod.GetProperty("spec").GetProperty("terminationGracePeriodSeconds").GetInt32() > shutdown + 10, "terminationGracePeriodSeconds must exceed SCAR_SHUTDOWN_TIMEOUT_SECONDS");

        // Service and PDB select the silo pods; the Service's target ports are the container's named ports.
        var service = Find("Service", "scar");
        Assert.Equal(podLabels, service.GetProperty("spec").GetProperty("selector").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!));
        foreach (var p in service.GetProperty("spec").GetProperty("ports").EnumerateArray())
        {
            Assert.Contains(p.GetProperty("targetPort").GetString()!, ports.Keys);
            Assert.Equal(ports[p.GetProperty("targetPort").GetString()!], p.GetProperty("port").GetInt32());
        }

        var pdb = Find("PodDisruptionBudget", "scar-silo");
        Assert.Equal(podLabels, Labels(pdb.GetProperty("spec").GetProperty("selector"), "matchLabels"));
        Assert.Equal(podLabels, Labels(deployment.GetProperty("spec").GetProperty("selector"), "matchLabels"));

        // The shared data volume is a claim of the kustomization.
        string claim = pod.GetProperty("spec").GetProperty("volumes")[0].GetProperty("persistentVolumeClaim").GetProperty("claimName").GetString()!;
        Assert.Contains("ReadWriteMany", Find("PersistentVolumeClaim", claim).GetProperty("spec").GetProperty("accessModes").EnumerateArray().Select(a => a.GetString()));

        // TLS (overlays/tls only): SCAR_TLS_CERT names the certificate file where the scar-tls Secret is mounted.
        bool tls = env.ContainsKey("SCAR_TLS_CERT");
        Assert.Equal(folder == "overlays/tls", tls);
        if (tls)
        {
            string certificate = env["SCAR_TLS_CERT"].GetProperty("value").GetString()!;
            var mount = container.GetProperty("volumeMounts").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "tls");
            string mountPath = mount.GetProperty("mountPath").GetString()!.TrimEnd('/');
            Assert.True(mount.GetProperty("readOnly").GetBoolean(), "the certificate is mounted read-only");
            Assert.StartsWith(mountPath + "/", certificate, StringComparison.Ordinal);
            var volume = pod.GetProperty("spec").GetProperty("volumes").EnumerateArray().Single(v => v.GetProperty("name").GetString() == "tls").GetProperty("secret");
            Assert.Equal("scar-tls", volume.GetProperty("secretName").GetString());
            var paths = volume.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("path").GetString()).ToList();
            Assert.Contains(certificate[(mountPath.Length + 1)..], paths);
            var password = env["SCAR_TLS_CERT_PASSWORD"].GetProperty("valueFrom").GetProperty("secretKeyRef");
            Assert.Equal("scar-tls", password.GetProperty("name").GetString());
        }

        bool gpu = container.GetProperty("resources").TryGetProperty("limits", out var limits) && limits.TryGetProperty("nvidia.com/gpu", out _);
        Assert.Equal(folder == "overlays/gpu", gpu);
        if (gpu)
        {
            Assert.Equal("true", pod.GetProperty("spec").GetProperty("nodeSelector").GetProperty("nvidia.com/gpu.present").GetString());
            Assert.EndsWith(":gpu", container.GetProperty("image").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_Dockerfile_builds_the_silo_with_the_ports_of_the_manifests()
    {
        string dockerfile = File.ReadAllText(Path.Combine(Root, "Dockerfile"));
        Assert.Contains("FROM mcr.microsoft.com/dotnet/runtime:10.0 AS cpu", dockerfile, StringComparison.Ordinal);
        Assert.Matches(@"FROM nvidia/cuda:[^\s]+cudnn-runtime[^\s]* AS gpu", dockerfile);
        Assert.Equal(2, Regex.Matches(dockerfile, Regex.Escape("ENTRYPOINT [\"dotnet\", \"Scar.Silo.dll\"]")).Count);
        Assert.Equal(2, Regex.Matches(dockerfile, "EXPOSE 11111 30000 8080").Count);
        Assert.Contains("dotnet publish src/Silo/Scar.Silo.csproj", dockerfile, StringComparison.Ordinal);
    }

    private static string? Probe(JsonElement container, string name) =>
        container.GetProperty(name).GetProperty("httpGet") is var get && get.GetProperty("port").GetString() == "http" ? get.GetProperty("path").GetString() : null;

    private static Dictionary<string, string> Labels(JsonElement element, string property = "labels") =>
        element.GetProperty(property).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

    // The SCAR_* names SiloSettings and the HTTP API read, from their source: the manifests must not set a name nobody reads.
    private static HashSet<string> SiloSettingsNames()
    {
        string source = File.ReadAllText(Path.Combine(Root, "src", "Silo", "SiloSettings.cs")) + File.ReadAllText(Path.Combine(Root, "src", "Silo", "Http", "HttpApiSettings.cs"));
        var names = EnvRead().Matches(source).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("SCAR_ADVERTISED_IP", names);
        Assert.Contains("SCAR_HTTP_PORT", names);
        return names;
    }

    [GeneratedRegex("(?:Env|Int)\\(\"(SCAR_[A-Z_]+)\"")]
    private static partial Regex EnvRead();

    private static List<JsonElement>? Render(string folder)
    {
        string script = Path.Combine(Root, "tests", "k8s", "render.mjs");
        bool ci = Environment.GetEnvironmentVariable("CI") == "true";
        if (!Directory.Exists(Path.Combine(Root, "tests", "k8s", "node_modules", "kubernetes-models")))
        {
            Assert.False(ci, "tests/k8s/node_modules is missing: npm install --prefix tests/k8s (.ci/run does it)");
            return null;
        }

        var start = new ProcessStartInfo("node", [script, Path.Combine(Root, "k8s", folder)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Root,
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.False(ci, "node is not installed");
            return null;
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            string stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"k8s/{folder} does not validate: {stderr}");
            using var doc = JsonDocument.Parse(stdout.Result);
            return doc.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
        }
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Scar.sln")))
        {
            dir = dir.Parent;
        }

        return dir!.FullName;
    }
}
