using System.Diagnostics;
using Npgsql;
using Scar.Abstractions;
using Scar.Client;
using Scar.Core.Pipeline;
using Xunit.Abstractions;

namespace Scar.Grains.Tests;

/// <summary>
/// Real silo processes on PostgreSQL membership and storage (Orleans' ADO.NET providers with
/// scripts/postgres/scar-orleans.sql): a job with the report of an in-process run, clients finding the gateways through
/// the database, and jobs surviving every silo being stopped (resumed by a client, or by the silos on their own).
/// PostgreSQL comes from SCAR_TEST_POSTGRES (.ci/run starts one on 127.0.0.1:5433 and prepares it with
/// scripts/postgres-setup.sh); without it the tests do nothing locally and fail under CI=true.
/// </summary>
[Collection(RedisFaultCollection.Name)]
public sealed class PostgresTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Two_silos_on_postgres_run_a_job_with_the_in_process_report_and_clients_find_them_in_the_database()
    {
        if (TestPostgres.ConnectionString() is not { } postgres)
        {
            return;
        }

        using var corpus = new TestCorpus(items: 600);
        await using var cluster = new SiloProcessCluster(2, TestPostgres.SiloEnvironment(postgres));
        try
        {
            await cluster.StartAllAsync();
            // The client knows no gateway: it reads the silos' rows of the membership table.
            string uri = TestPostgres.Uri(postgres);
            await using (var connection = await ClusterConnection.ConnectAsync(uri, cluster.ClusterId, CancellationToken.None, serviceId: cluster.ServiceId))
            {
                var client = new ScarClient(connection.Client);
                await client.SubmitAsync("pg", SiloProcessCluster.FaultSpec(corpus, "pg"));
                var final = await SiloProcessCluster.UntilAsync(client, "pg", _ => false);
                Assert.True(final.State == JobState.Done, $"job ended {final.State}: {final.Error}");
                Assert.Equal(await SiloProcessCluster.ReferenceReportAsync(corpus, SiloProcessCluster.FaultSpec(corpus, "local")), File.ReadAllText(final.ReportPath!));
            }

            // The scar command line takes the same URI.
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int code = await Cli.RunAsync(["status", "pg", "--cluster", uri, "--cluster-id", cluster.ClusterId], stdout, stderr);
            Assert.True(code == ExitCodes.Ok, $"scar status exited {code}: {stderr}");
            Assert.StartsWith("pg\tdone", stdout.ToString(), StringComparison.Ordinal);

            await using var db = await TestPostgres.OpenAsync(postgres);
            Assert.Equal(2L, await TestPostgres.ScalarAsync(db, "SELECT count(*) FROM scar_membership WHERE deployment_id = @id AND status = 3", cluster.ClusterId));
            Assert.True(await TestPostgres.ScalarAsync(db, "SELECT count(*) FROM scar_grain_state WHERE service_id = @id", cluster.ClusterId) >= 2, "the job's and the registry's records are in the database");
        }
        finally
        {
            await cluster.DisposeAsync();
            await TestPostgres.ForgetAsync(postgres, cluster.ClusterId);
        }
    }

    [Fact]
    public async Task A_job_on_postgres_survives_every_silo_stopping_and_resumes_from_its_checkpoint()
    {
        if (TestPostgres.ConnectionString() is not { } postgres)
        {
            return;
        }

        using var corpus = new TestCorpus(items: 2000);
        // No periodic wake-up: here the client's status call resumes the job.
        var environment = new Dictionary<string, string>(TestPostgres.SiloEnvironment(postgres)) { ["SCAR_RESUME_INTERVAL_SECONDS"] = "0" };
        await using var cluster = new SiloProcessCluster(2, environment);
        try
        {
            await cluster.StartAllAsync();
            var clock = Stopwatch.StartNew();
            JobStatus before;
            await using (var connection = await cluster.ConnectAsync())
            {
                var client = new ScarClient(connection.Client);
                await client.SubmitAsync("restart", SiloProcessCluster.FaultSpec(corpus, "restart"));
                before = await SiloProcessCluster.UntilAsync(client, "restart", s => s.Stage == "probing" && s.ProbesTotal > 0 && s.ProbesDone >= s.ProbesTotal / 3);
                Assert.Equal(JobState.Running, before.State);
            }

            // SIGTERM: the coordinator writes every finished probe to PostgreSQL before its silo goes.
            for (int i = 0; i < 2; i++)
            {
                await cluster.TerminateAsync(i);
            }

            var stopped = clock.Elapsed;
            await cluster.StartAllAsync();
            await using var again = await cluster.ConnectAsync();
            var resumedClient = new ScarClient(again.Client);
            var resumed = await SiloProcessCluster.UntilAsync(resumedClient, "restart", s => s.CoordinatorActivations >= 2);
            Assert.Equal(JobState.Running, resumed.State);
            var final = await SiloProcessCluster.UntilAsync(resumedClient, "restart", _ => false);

            output.WriteLine($"both silos stopped at {before.ProbesDone}/{before.ProbesTotal} probes and restarted after {(clock.Elapsed - stopped).TotalSeconds:F1} s; restored {final.ProbesRestoredFromCheckpoint}, trained {final.ProbesTrainedThisActivation}; wall {clock.Elapsed.TotalSeconds:F1} s");
            Assert.True(final.State == JobState.Done, $"job ended {final.State}: {final.Error}");
            Assert.Equal(2, final.CoordinatorActivations);
            Assert.InRange(final.ProbesRestoredFromCheckpoint, Math.Max(1, before.ProbesDone), int.MaxValue);
            Assert.Equal(await SiloProcessCluster.ReferenceReportAsync(corpus, SiloProcessCluster.FaultSpec(corpus, "local")), File.ReadAllText(final.ReportPath!));
        }
        finally
        {
            await cluster.DisposeAsync();
            await TestPostgres.ForgetAsync(postgres, cluster.ClusterId);
        }
    }

    [Fact]
    public async Task Restarted_silos_resume_an_unfinished_job_without_a_client_asking()
    {
        if (TestPostgres.ConnectionString() is not { } postgres)
        {
            return;
        }

        using var corpus = new TestCorpus(items: 2000);
        await using var cluster = new SiloProcessCluster(2, TestPostgres.SiloEnvironment(postgres));
        try
        {
            await cluster.StartAllAsync();
            var spec = SiloProcessCluster.FaultSpec(corpus, "unattended");
            JobStatus before;
            await using (var connection = await cluster.ConnectAsync())
            {
                var client = new ScarClient(connection.Client);
                await client.SubmitAsync("unattended", spec);
                before = await SiloProcessCluster.UntilAsync(client, "unattended", s => s.Stage == "probing" && s.ProbesTotal > 0 && s.ProbesDone >= s.ProbesTotal / 3);
                Assert.Equal(JobState.Running, before.State);
            }

            for (int i = 0; i < 2; i++)
            {
                await cluster.TerminateAsync(i);
            }

            int resumesBefore = cluster.LogLines().Count(l => l.Contains("Resuming job unattended", StringComparison.Ordinal));
            var clock = Stopwatch.StartNew();
            await cluster.StartAllAsync();

            // No client call from here until the report is written: the silos wake the job from the registry.
            string report = Path.Combine(spec.OutDir, "report.json");
            var deadline = DateTime.UtcNow.AddMinutes(8);
            double resumedAfter = double.NaN;
            while (!File.Exists(report))
            {
                if (double.IsNaN(resumedAfter) && cluster.LogLines().Count(l => l.Contains("Resuming job unattended", StringComparison.Ordinal)) > resumesBefore)
                {
                    resumedAfter = clock.Elapsed.TotalSeconds;
                }

                Assert.True(DateTime.UtcNow < deadline, "the job was not resumed and finished without a client call");
                await Task.Delay(250);
            }

            output.WriteLine($"stopped at {before.ProbesDone}/{before.ProbesTotal} probes; coordinator resumed {resumedAfter:F1} s after the restart began, report after {clock.Elapsed.TotalSeconds:F1} s, with no client call");
            Assert.False(double.IsNaN(resumedAfter), "the silo logs show no resumption");

            await using var again = await cluster.ConnectAsync();
            var final = await SiloProcessCluster.UntilAsync(new ScarClient(again.Client), "unattended", _ => false);
            Assert.True(final.State == JobState.Done, $"job ended {final.State}: {final.Error}");
            Assert.Equal(2, final.CoordinatorActivations);
            Assert.InRange(final.ProbesRestoredFromCheckpoint, Math.Max(1, before.ProbesDone), int.MaxValue);
            Assert.True(final.ProbesTrainedThisActivation > 0, "the resumed coordinator trained the remaining probes");
            Assert.Equal(await SiloProcessCluster.ReferenceReportAsync(corpus, SiloProcessCluster.FaultSpec(corpus, "local")), File.ReadAllText(final.ReportPath!));
        }
        finally
        {
            await cluster.DisposeAsync();
            await TestPostgres.ForgetAsync(postgres, cluster.ClusterId);
        }
    }

    [Theory]
    [InlineData("postgres://scar:secret@db.example:6543/jobs", "Host=db.example;Port=6543;Username=scar;Password=secret;Database=jobs")]
    [InlineData("postgresql://scar@db/jobs?SSL+Mode=Require", "Host=db;Username=scar;Database=jobs;SSL Mode=Require")]
    [InlineData("Host=db;Database=jobs;Username=scar", "Host=db;Database=jobs;Username=scar")]
    public void Postgres_connections_are_read_from_URIs_and_connection_strings(string value, string expected)
    {
        var want = new NpgsqlConnectionStringBuilder(expected);
        var got = new NpgsqlConnectionStringBuilder(Scar.Silo.PostgresConnection.Parse(value, "SCAR_POSTGRES"));
        Assert.True(want.EquivalentTo(got), $"{got.ConnectionString} vs {want.ConnectionString}");
    }

    [Theory]
    [InlineData("postgres://scar@db", "names no database")]
    [InlineData("Database=jobs", "names no host")]
    [InlineData("Hots=db;Database=jobs", "is not a PostgreSQL connection string")]
    public void A_bad_postgres_connection_names_the_input_and_the_fix(string value, string message)
    {
        var e = Assert.Throws<Scar.Core.ScarInputException>(() => Scar.Silo.PostgresConnection.Parse(value, "SCAR_POSTGRES"));
        Assert.Equal("SCAR_POSTGRES", e.Input);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}

/// <summary>The test PostgreSQL of SCAR_TEST_POSTGRES (an Npgsql connection string to a database prepared by scripts/postgres-setup.sh).</summary>
internal static class TestPostgres
{
    /// <summary>The connection string, or null (locally) when SCAR_TEST_POSTGRES is not set; fails under CI=true.</summary>
    public static string? ConnectionString()
    {
        string? value = Environment.GetEnvironmentVariable("SCAR_TEST_POSTGRES") is { Length: > 0 } v ? v : null;
        Assert.False(value is null && Environment.GetEnvironmentVariable("CI") == "true",
            "SCAR_TEST_POSTGRES is not set (.ci/run starts PostgreSQL on 127.0.0.1:5433 and sets it)");
        return value;
    }

    public static IReadOnlyDictionary<string, string> SiloEnvironment(string postgres) => new Dictionary<string, string>
    {
        ["SCAR_CLUSTERING"] = "postgres",
        ["SCAR_STORAGE"] = "postgres",
        ["SCAR_POSTGRES"] = postgres,
    };

    /// <summary>The same database as a postgres:// URI, the form the client's --cluster takes.</summary>
    public static string Uri(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        string user = b.Username is { Length: > 0 } u ? System.Uri.EscapeDataString(u) + (b.Password is { Length: > 0 } p ? ":" + System.Uri.EscapeDataString(p) : "") + "@" : "";
        return $"postgres://{user}{b.Host}:{b.Port}/{System.Uri.EscapeDataString(b.Database!)}";
    }

    public static async Task<NpgsqlConnection> OpenAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return connection;
    }

    public static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql, string id)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("id", id);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Removes a test cluster's membership rows and its service's grain state (each test cluster is its own service).</summary>
    public static async Task ForgetAsync(string connectionString, string clusterId)
    {
        await using var connection = await OpenAsync(connectionString);
        await using var command = new NpgsqlCommand(
            "DELETE FROM scar_membership_version WHERE deployment_id = @id; DELETE FROM scar_grain_state WHERE service_id = @id;", connection);
        command.Parameters.AddWithValue("id", clusterId);
        await command.ExecuteNonQueryAsync();
    }
}
