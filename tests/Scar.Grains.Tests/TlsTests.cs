using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.TestingHost;
using Scar.Abstractions;
using Scar.Client;
using Scar.Silo;

namespace Scar.Grains.Tests;

/// <summary>A job over mutual TLS with a generated self-signed cluster certificate; clients without it are refused.</summary>
public sealed class TlsTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly X509Certificate2 ClusterCertificate = SelfSigned("CN=scar-cluster");

    [Fact]
    public async Task A_job_runs_over_TLS_and_a_client_without_the_cluster_certificate_is_refused()
    {
        var builder = new TestClusterBuilder(2);
        builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket; // real sockets, so that outside clients can try
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        try
        {
            using var corpus = new TestCorpus(items: 300);
            var client = new ScarClient(cluster.Client) { PollInterval = TimeSpan.FromMilliseconds(50) };
            await client.SubmitAsync("tls", corpus.Spec("tls"));
            JobStatus last = null!;
            await foreach (var s in client.WatchAsync("tls"))
            {
                last = s;
            }

            Assert.Equal(JobState.Done, last.State);

            var gateway = cluster.Primary?.GatewayAddress?.Endpoint ?? throw new InvalidOperationException("the primary silo has no gateway");
            // The same separate client with the cluster certificate gets in: the refusals below are about the certificate.
            await ConnectAsync(cluster, gateway, ClusterCertificate);
            var intruder = await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync(cluster, gateway, SelfSigned("CN=intruder")));
            var plain = await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync(cluster, gateway, null));
            output.WriteLine($"untrusted certificate: {intruder.GetType().Name}: {intruder.Message}");
            output.WriteLine($"no TLS: {plain.GetType().Name}: {plain.Message}");
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_scar_command_reaches_a_TLS_cluster_with_tls_cert_and_a_wrong_certificate_is_a_clear_error()
    {
        var builder = new TestClusterBuilder(2);
        builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        using var corpus = new TestCorpus(items: 300);
        try
        {
            // The certificate files a user would have: the cluster's (with a password), another one, and no certificate at all.
            string pfx = Path.Combine(corpus.Folder, "cluster.pfx");
            File.WriteAllBytes(pfx, ClusterCertificate.Export(X509ContentType.Pfx, "s3cret"));
            string intruder = Path.Combine(corpus.Folder, "intruder.pfx");
            File.WriteAllBytes(intruder, SelfSigned("CN=intruder").Export(X509ContentType.Pfx));
            string notPfx = Path.Combine(corpus.Folder, "cluster.txt");
            File.WriteAllText(notPfx, "not a certificate");
            var gateway = cluster.Primary?.GatewayAddress?.Endpoint ?? throw new InvalidOperationException("the primary silo has no gateway");
            string[] connection = ["--cluster", $"127.0.0.1:{gateway.Port}", "--cluster-id", cluster.Options.ClusterId];

            var job = await CliAsync([
                "characterize", .. connection, "--tls-cert", pfx, "--tls-cert-password", "s3cret",
                "--embeddings", $"image={corpus.ImagePath}", "--embeddings", $"text={corpus.TextPath}",
                "--k", "3", "--seed", "9", "--ratios", "1,2,5", "--epochs", "20", "--out", Path.Combine(corpus.Folder, "cli"), "--json"]);
            Assert.True(job.Code == ExitCodes.Ok, $"characterize over TLS exited {job.Code}: {job.Err}");
            Assert.True(File.Exists(Path.Combine(corpus.Folder, "cli", "report.json")));

            // Other verbs take it too: status of an unknown job (exit code 2) got through TLS to the cluster.
            var status = await CliAsync(["status", "no-such-job", .. connection, "--tls-cert", pfx, "--tls-cert-password", "s3cret", "--connect-timeout", "10"]);
            Assert.True(status.Code == ExitCodes.BadInput && !status.Err.Contains("--tls-cert", StringComparison.Ordinal), $"status exited {status.Code}: {status.Err}");

            var wrong = await CliAsync(["status", "no-such-job", .. connection, "--tls-cert", intruder, "--connect-timeout", "5"]);
            output.WriteLine($"wrong certificate: exit {wrong.Code}: {wrong.Err}");
            Assert.Equal(ExitCodes.Unreachable, wrong.Code);
            Assert.Contains("--tls-cert is the cluster's certificate", wrong.Err, StringComparison.Ordinal);

            var none = await CliAsync(["status", "no-such-job", .. connection, "--connect-timeout", "5"]);
            output.WriteLine($"no certificate: exit {none.Code}: {none.Err}");
            Assert.Equal(ExitCodes.Unreachable, none.Code);
            Assert.Contains("give its certificate with --tls-cert FILE", none.Err, StringComparison.Ordinal);

            var unreadable = await CliAsync(["status", "no-such-job", .. connection, "--tls-cert", notPfx]);
            Assert.Equal(ExitCodes.BadInput, unreadable.Code);
            Assert.Contains("--tls-cert: ", unreadable.Err, StringComparison.Ordinal);
            var badPassword = await CliAsync(["status", "no-such-job", .. connection, "--tls-cert", pfx, "--tls-cert-password", "wrong"]);
            Assert.Equal(ExitCodes.BadInput, badPassword.Code);
            Assert.Contains("wrong or missing password", badPassword.Err, StringComparison.Ordinal);
            var missing = await CliAsync(["status", "no-such-job", .. connection, "--tls-cert", Path.Combine(corpus.Folder, "absent.pfx")]);
            Assert.Equal(ExitCodes.BadInput, missing.Code);
            Assert.Contains("does not exist", missing.Err, StringComparison.Ordinal);
            var embedded = await CliAsync(["characterize", "--tls-cert", pfx, "--embeddings", $"image={corpus.ImagePath}", "--embeddings", $"text={corpus.TextPath}", "--out", Path.Combine(corpus.Folder, "embedded")]);
            Assert.Equal(ExitCodes.BadInput, embedded.Code);
            Assert.Contains("give --cluster too", embedded.Err, StringComparison.Ordinal);
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    private static async Task<(int Code, string Out, string Err)> CliAsync(string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = await Cli.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    // A client of the same cluster presenting another certificate (or none, without TLS) must not get a connection.
    private static async Task ConnectAsync(TestCluster cluster, IPEndPoint gateway, X509Certificate2? certificate)
    {
        using var host = Host.CreateDefaultBuilder()
            .ConfigureLogging(l => l.ClearProviders())
            .UseOrleansClient(c =>
            {
                c.UseStaticClustering(gateway).Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = cluster.Options.ClusterId;
                    o.ServiceId = cluster.Options.ServiceId;
                });
                if (certificate is not null)
                {
                    c.UseScarTls(certificate);
                }
            })
            .Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await host.StartAsync(timeout.Token);
        var job = host.Services.GetRequiredService<IClusterClient>().GetGrain<IScarJobGrain>("tls");
        await job.GetStatusAsync(timeout.Token);
    }

    private static X509Certificate2 SelfSigned(string subject)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        // Through PKCS#12 so that the private key is usable by SslStream on Linux.
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null);
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder
            .UseScarTls(ClusterCertificate)
            .AddMemoryGrainStorage(ScarSiloOptions.StorageName)
            .AddScar(o => o.ProbeConcurrency = 2);
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) => clientBuilder.UseScarTls(ClusterCertificate);
    }
}
