using System.Net;
using Microsoft.Extensions.Hosting;
using Scar.Grains;

namespace Scar.Silo;

/// <summary>
/// How a standalone silo process is configured, read from environment variables (each one named in the error when
/// it is wrong). The same names are used by scripts/local-cluster.sh and the Kubernetes manifests.
/// </summary>
public sealed record SiloSettings
{
    /// <summary>SCAR_CLUSTER_ID: the cluster this silo joins.</summary>
    public string ClusterId { get; init; } = "scar-local";

    /// <summary>SCAR_SILO_PORT: silo-to-silo port.</summary>
    public int SiloPort { get; init; } = 11111;

    /// <summary>SCAR_GATEWAY_PORT: client gateway port.</summary>
    public int GatewayPort { get; init; } = 30000;

    /// <summary>SCAR_CLUSTERING: "localhost" (development clustering; SCAR_PRIMARY_SILO_PORT names the primary), "redis" or "postgres".</summary>
    public string Clustering { get; init; } = "localhost";

    /// <summary>SCAR_PRIMARY_SILO_PORT: silo port of the primary silo, with localhost clustering.</summary>
    public int PrimarySiloPort { get; init; } = 11111;

    /// <summary>SCAR_REDIS: Redis connection string, with redis clustering or storage.</summary>
    public string Redis { get; init; } = "localhost:6379";

    /// <summary>SCAR_POSTGRES: PostgreSQL connection (Npgsql connection string or postgres://USER@HOST:PORT/DATABASE), with postgres clustering or storage.</summary>
    public string? Postgres { get; init; }

    /// <summary>SCAR_SERVICE_ID: the service whose grain state the silos share across cluster restarts; "scar" by default.</summary>
    public string ServiceId { get; init; } = "scar";

    /// <summary>SCAR_RESUME_INTERVAL_SECONDS: how often a silo wakes the registry's unfinished jobs (also once at start); 0 = only at start.</summary>
    public int ResumeIntervalSeconds { get; init; } = 60;

    /// <summary>SCAR_STORAGE: "memory", "file" (SCAR_STORAGE_DIR), "redis" or "postgres": where job records and checkpoints live.</summary>
    public string Storage { get; init; } = "memory";

    /// <summary>SCAR_STORAGE_DIR: folder of the file storage, shared by every silo.</summary>
    public string StorageDir { get; init; } = ".scar-state";

    /// <summary>SCAR_PROBE_CONCURRENCY: probe trainings a job runs at once; 0 = cores.</summary>
    public int ProbeConcurrency { get; init; }

    /// <summary>SCAR_ADVERTISED_IP: the address other silos and clients reach this silo at (the pod IP on Kubernetes); loopback by default.</summary>
    public string AdvertisedIp { get; init; } = "127.0.0.1";

    /// <summary>SCAR_FAST_FAILURE_DETECTION=1: declare a dead silo within seconds (tests); the Orleans defaults otherwise.</summary>
    public bool FastFailureDetection { get; init; }

    /// <summary>SCAR_SHUTDOWN_TIMEOUT_SECONDS: how long a stopping silo (SIGTERM) may take to hand its grains over.</summary>
    public int ShutdownTimeoutSeconds { get; init; } = 60;

    /// <summary>SCAR_SILO_NAME: the silo's name in logs and membership (the pod name on Kubernetes); Orleans picks one when empty.</summary>
    public string? SiloName { get; init; }

    /// <summary>SCAR_TLS_CERT: PKCS#12 (.pfx) cluster certificate; when set, silo and gateway connections use mutual TLS with it.</summary>
    public string? TlsCertificate { get; init; }

    /// <summary>SCAR_TLS_CERT_PASSWORD: password of the SCAR_TLS_CERT file.</summary>
    public string? TlsCertificatePassword { get; init; }

    /// <summary>SCAR_ACCELERATOR: none (default), cuda, auto or cpu: where embedding shards run k-means assignments and probe gradients (see <see cref="ShardAccelerators"/>).</summary>
    public string Accelerator { get; init; } = "none";

    /// <summary>The accelerator opened for <see cref="Accelerator"/> by <see cref="OpenAccelerator"/>; null for the managed kernels.</summary>
    public Scar.Core.Distributed.IShardAccelerator? ShardAccelerator { get; init; }

    /// <summary>
    /// Opens the accelerator <see cref="Accelerator"/> names, before the silo starts, so that a GPU silo without a
    /// working CUDA stops at once with the reason (a <see cref="Core.ScarInputException"/> naming SCAR_ACCELERATOR).
    /// </summary>
    public SiloSettings OpenAccelerator() => this with { ShardAccelerator = ShardAccelerators.Open(Accelerator) };

    /// <summary>Reads the settings from the environment.</summary>
    public static SiloSettings FromEnvironment()
    {
        var d = new SiloSettings();
        return new SiloSettings
        {
            ClusterId = Env("SCAR_CLUSTER_ID") ?? d.ClusterId,
            SiloPort = Int("SCAR_SILO_PORT", d.SiloPort),
            GatewayPort = Int("SCAR_GATEWAY_PORT", d.GatewayPort),
            Clustering = (Env("SCAR_CLUSTERING") ?? d.Clustering).ToLowerInvariant(),
            PrimarySiloPort = Int("SCAR_PRIMARY_SILO_PORT", Int("SCAR_SILO_PORT", d.PrimarySiloPort)),
            Redis = Env("SCAR_REDIS") ?? d.Redis,
            Postgres = Env("SCAR_POSTGRES"),
            ServiceId = Env("SCAR_SERVICE_ID") ?? d.ServiceId,
            ResumeIntervalSeconds = Int("SCAR_RESUME_INTERVAL_SECONDS", d.ResumeIntervalSeconds),
            Storage = (Env("SCAR_STORAGE") ?? d.Storage).ToLowerInvariant(),
            StorageDir = Env("SCAR_STORAGE_DIR") ?? d.StorageDir,
            ProbeConcurrency = Int("SCAR_PROBE_CONCURRENCY", 0),
            AdvertisedIp = Env("SCAR_ADVERTISED_IP") ?? d.AdvertisedIp,
            SiloName = Env("SCAR_SILO_NAME"),
            TlsCertificate = Env("SCAR_TLS_CERT"),
            TlsCertificatePassword = Env("SCAR_TLS_CERT_PASSWORD"),
            FastFailureDetection = Env("SCAR_FAST_FAILURE_DETECTION") is "1" or "true",
            ShutdownTimeoutSeconds = Int("SCAR_SHUTDOWN_TIMEOUT_SECONDS", d.ShutdownTimeoutSeconds),
            Accelerator = ShardAccelerators.Parse(Env("SCAR_ACCELERATOR")),
        }.Validate();
    }

    /// <summary>Configures a silo with these settings.</summary>
    public void Apply(ISiloBuilder silo)
    {
        switch (Clustering)
        {
            case "redis" or "postgres":
                if (Clustering == "redis")
                {
                    silo.UseRedisClustering(Redis);
                }
                else
                {
                    silo.UseAdoNetClustering(o =>
                    {
                        o.Invariant = PostgresConnection.Invariant;
                        o.ConnectionString = Postgres;
                    });
                }

                silo.Configure<Orleans.Configuration.ClusterOptions>(o =>
                {
                    o.ClusterId = ClusterId;
                    o.ServiceId = ServiceId;
                });
                silo.ConfigureEndpoints(IPAddress.Parse(AdvertisedIp), SiloPort, GatewayPort, listenOnAnyHostAddress: AdvertisedIp != "127.0.0.1");
                break;
            default:
                silo.UseLocalhostClustering(SiloPort, GatewayPort, new IPEndPoint(IPAddress.Loopback, PrimarySiloPort), ServiceId, ClusterId);
                break;
        }

        if (TlsCertificate is { } tls)
        {
            silo.UseScarTls(ScarTls.Load(tls, TlsCertificatePassword));
        }

        if (SiloName is { } name)
        {
            silo.Configure<Orleans.Configuration.SiloOptions>(o => o.SiloName = name);
        }

        // The strongly consistent directory: a lost silo never leaves two live activations of one job coordinator.
#pragma warning disable ORLEANSEXP001, ORLEANSEXP002, ORLEANSEXP003
        silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP001, ORLEANSEXP002, ORLEANSEXP003

        if (FastFailureDetection)
        {
            silo.Configure<Orleans.Configuration.ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
                o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
                o.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(30);
            });

            // After a crash the directory holds the dead silo's grains under a lease (default about 20 s) so that a
            // silo wrongly declared dead cannot run a grain twice; tests shorten it.
            silo.Configure<Orleans.Configuration.GrainDirectoryOptions>(o => o.RangeLeaseDuration = TimeSpan.FromSeconds(3));
        }

        switch (Storage)
        {
            case "file":
                silo.AddFileGrainStorage(ScarSiloOptions.StorageName, StorageDir);
                break;
            case "redis":
                silo.AddRedisGrainStorage(ScarSiloOptions.StorageName, o => o.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(Redis));
                break;
            case "postgres":
                silo.AddAdoNetGrainStorage(ScarSiloOptions.StorageName, o =>
                {
                    o.Invariant = PostgresConnection.Invariant;
                    o.ConnectionString = Postgres;
                });
                break;
            default:
                silo.AddMemoryGrainStorage(ScarSiloOptions.StorageName);
                break;
        }

        silo.AddScar(o => o.ProbeConcurrency = ProbeConcurrency, ShardAccelerator);
        silo.AddScarJobResumer(ResumeIntervalSeconds > 0 ? TimeSpan.FromSeconds(ResumeIntervalSeconds) : null);
    }

    private SiloSettings Validate()
    {
        if (Clustering is not ("localhost" or "redis" or "postgres"))
        {
            throw new Core.ScarInputException("SCAR_CLUSTERING", $"'{Clustering}' is not a clustering provider; use localhost, redis or postgres.");
        }

        if (Storage is not ("memory" or "file" or "redis" or "postgres"))
        {
            throw new Core.ScarInputException("SCAR_STORAGE", $"'{Storage}' is not a storage provider; use memory, file, redis or postgres.");
        }

        if (Clustering == "postgres" || Storage == "postgres")
        {
            string user = Clustering == "postgres" ? "SCAR_CLUSTERING=postgres" : "SCAR_STORAGE=postgres";
            if (Postgres is null)
            {
                throw new Core.ScarInputException("SCAR_POSTGRES", $"{user} needs SCAR_POSTGRES, the database's connection: postgres://USER@HOST:5432/DATABASE or Host=HOST;Database=DATABASE;Username=USER (prepare the database with scripts/postgres-setup.sh).");
            }

        }

        if (!IPAddress.TryParse(AdvertisedIp, out _))
        {
            throw new Core.ScarInputException("SCAR_ADVERTISED_IP", $"'{AdvertisedIp}' is not an IP address.");
        }

        return Postgres is null ? this : this with { Postgres = PostgresConnection.Parse(Postgres, "SCAR_POSTGRES") };
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;

    private static int Int(string name, int fallback) => Env(name) switch
    {
        null => fallback,
        string v when int.TryParse(v, out int value) && value >= 0 => value,
        string v => throw new Core.ScarInputException(name, $"'{v}' is not a non-negative integer."),
    };
}
