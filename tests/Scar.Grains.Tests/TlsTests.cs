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
