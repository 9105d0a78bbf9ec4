using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Scar.Core;
using Scar.Silo;

namespace Scar.Client;

/// <summary>A client connected to a running Scar cluster through its gateways.</summary>
public sealed class ClusterConnection : IAsyncDisposable
{
    private readonly IHost _host;

    private ClusterConnection(IHost host)
    {
        _host = host;
        Client = host.Services.GetRequiredService<IClusterClient>();
    }

    /// <summary>The connected client.</summary>
    public IClusterClient Client { get; }

    /// <summary>
    /// Connects to the gateways in <paramref name="gateways"/> of cluster <paramref name="clusterId"/>: a list
    /// "host:port[,host:port…]", or the membership the silos use: "redis://host:port" (SCAR_CLUSTERING=redis) or
    /// "postgres://user[:password]@host:port/database" (SCAR_CLUSTERING=postgres; see <see cref="PostgresConnection.Parse"/>).
    /// With <paramref name="tlsCertificate"/> the connections use mutual TLS with the cluster certificate (silos with
    /// SCAR_TLS_CERT). <paramref name="serviceId"/> is the silos' SCAR_SERVICE_ID (default: $SCAR_SERVICE_ID, else
    /// "scar"); Redis membership is kept per service. Throws <see cref="ClusterUnreachableException"/> when none
    /// answers within <paramref name="connectTimeout"/> (default 30 s).
    /// </summary>
    public static async Task<ClusterConnection> ConnectAsync(string gateways, string clusterId, CancellationToken cancellationToken, TimeSpan? connectTimeout = null,
        X509Certificate2? tlsCertificate = null, string? serviceId = null)
    {
        serviceId ??= Environment.GetEnvironmentVariable("SCAR_SERVICE_ID") is { Length: > 0 } v ? v : "scar";
        // A membership URI finds the gateways through the table the silos use; otherwise a gateway list.
        string? redis = gateways.StartsWith("redis://", StringComparison.OrdinalIgnoreCase) ? gateways["redis://".Length..] : null;
        string? postgres = PostgresConnection.IsUri(gateways) ? PostgresConnection.Parse(gateways, "--cluster") : null;
        var endpoints = redis is null && postgres is null ? ParseGateways(gateways) : [];
        string shown = postgres is null ? gateways : PostgresConnection.Redact(gateways);
        var host = Host.CreateDefaultBuilder()
            .ConfigureLogging(l => l.ClearProviders())
            .UseOrleansClient(client =>
            {
                if (redis is not null)
                {
                    client.UseRedisClustering(redis);
                }
                else if (postgres is not null)
                {
                    client.UseAdoNetClustering(o =>
                    {
                        o.Invariant = PostgresConnection.Invariant;
                        o.ConnectionString = postgres;
                    });
                }
                else
                {
                    client.UseStaticClustering(endpoints);
                }

                if (tlsCertificate is not null)
                {
                    client.UseScarTls(tlsCertificate);
                }

                client.AddActivityPropagation();
                client.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = clusterId;
                    o.ServiceId = serviceId;
                });
            })
            .Build();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(connectTimeout ?? TimeSpan.FromSeconds(30));
            await host.StartAsync(timeout.Token);
            return new ClusterConnection(host);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            host.Dispose();
            string why = e is OperationCanceledException ? $"no answer within {(connectTimeout ?? TimeSpan.FromSeconds(30)).TotalSeconds:0.#} s" : e.Message;
            string tls = tlsCertificate is null
                ? " If the cluster uses TLS (SCAR_TLS_CERT on its silos), give its certificate with --tls-cert FILE."
                : " Check that --tls-cert is the cluster's certificate (the SCAR_TLS_CERT file of its silos).";
            throw new ClusterUnreachableException($"no gateway of cluster '{clusterId}' answered at {shown}: {why}. Start one with scripts/local-cluster.sh up 2, or check --cluster and --cluster-id.{tls}", e);
        }
    }

    /// <summary>Parses "host:port[,host:port…]", naming the bad entry.</summary>
    public static IPEndPoint[] ParseGateways(string gateways)
    {
        var result = new List<IPEndPoint>();
        foreach (string part in gateways.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int colon = part.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(part[(colon + 1)..], out int port) || port is < 1 or > 65535)
            {
                throw new ScarInputException("--cluster", $"'{part}' is not HOST:PORT (for example localhost:30000); or give the silos' membership as redis://HOST:PORT or postgres://USER@HOST:PORT/DATABASE.");
            }

            string hostName = part[..colon];
            IPAddress address = hostName == "localhost" ? IPAddress.Loopback
                : IPAddress.TryParse(hostName, out var parsed) ? parsed
                : Dns.GetHostAddresses(hostName).FirstOrDefault() ?? throw new ScarInputException("--cluster", $"host '{hostName}' does not resolve.");
            result.Add(new IPEndPoint(address, port));
        }

        return result.Count > 0 ? [.. result] : throw new ScarInputException("--cluster", "give at least one gateway as HOST:PORT.");
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _host.StopAsync(timeout.Token);
        }
        finally
        {
            _host.Dispose();
        }
    }
}

/// <summary>No gateway of the cluster answered.</summary>
public sealed class ClusterUnreachableException(string message, Exception inner) : Exception(message, inner);
