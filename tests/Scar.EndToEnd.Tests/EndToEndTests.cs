using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Scar.Client;

namespace Scar.EndToEnd.Tests;

/// <summary>Drives real silo processes through the CLI (in process, with --cluster) and through the HTTP API.</summary>
public sealed class EndToEndTests(LocalClusterFixture cluster) : IClassFixture<LocalClusterFixture>
{
    private async Task<(int Code, string Out, string Err)> CliAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = await Cli.RunAsync([.. args, "--cluster", cluster.Gateways, "--cluster-id", cluster.ClusterId], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private HttpClient Http(string? token = LocalClusterFixture.Token)
    {
        var http = new HttpClient { BaseAddress = cluster.HttpBase, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return http;
    }

    [Fact]
    public async Task Cli_submit_watch_fetch_then_resubmit_the_same_id_does_no_second_run()
    {
        string spec = cluster.WriteSpec("cli.json", "cli-job", "out-cli");
        var submit = await CliAsync("submit", spec);
        Assert.True(submit.Code == ExitCodes.Ok, submit.Err);
        Assert.Equal("cli-job", submit.Out.Trim());

        var watch = await CliAsync("watch", "cli-job", "--json", "--timeout", "120");
        Assert.True(watch.Code == ExitCodes.Ok, watch.Err + cluster.Logs());
        string firstStatus = watch.Out.Trim();
        Assert.Contains("\"state\":\"Done\"", firstStatus, StringComparison.Ordinal);

        string fetched = Path.Combine(cluster.Folder, "fetched");
        var fetch = await CliAsync("fetch", "cli-job", "--out", fetched);
        Assert.True(fetch.Code == ExitCodes.Ok, fetch.Err);
        string report = File.ReadAllText(Path.Combine(fetched, "report.json"));
        using (JsonDocument.Parse(report))
        {
        }

        string siloReport = Path.Combine(cluster.DataRoot, "out-cli", "report.json");
        DateTime written = File.GetLastWriteTimeUtc(siloReport);

        // Same id, same spec: no second run, the same status and report.
        var again = await CliAsync("submit", spec, "--wait", "--json");
        Assert.True(again.Code == ExitCodes.Ok, again.Err);
        Assert.Equal(firstStatus, again.Out.Trim());
        Assert.Equal(written, File.GetLastWriteTimeUtc(siloReport));
        var refetch = await CliAsync("fetch", "cli-job", "--out", Path.Combine(cluster.Folder, "refetched"));
        Assert.Equal(ExitCodes.Ok, refetch.Code);
        Assert.Equal(report, File.ReadAllText(Path.Combine(cluster.Folder, "refetched", "report.json")));

        // A different spec under the same id is refused.
        string other = cluster.WriteSpec("cli-other.json", "cli-job", "out-cli", ", \"patience\": 3");
        Assert.Equal(ExitCodes.Conflict, (await CliAsync("submit", other)).Code);

        var status = await CliAsync("status", "cli-job");
        Assert.Equal(ExitCodes.Ok, status.Code);
        var jobs = await CliAsync("jobs", "--json");
        Assert.Equal(ExitCodes.Ok, jobs.Code);
        Assert.Contains("\"jobId\":\"cli-job\"", jobs.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_cancels_a_running_job()
    {
        string spec = cluster.WriteSpec("slow.json", "cli-slow", "out-slow", ", \"repeats\": 3, \"bootstrap\": 2000");
        File.WriteAllText(spec, File.ReadAllText(spec).Replace("\"epochs\": 20", "\"epochs\": 500", StringComparison.Ordinal).Replace("[1, 2, 5]", "[1, 2, 5, 10, 15, 20, 30]", StringComparison.Ordinal));
        Assert.Equal(ExitCodes.Ok, (await CliAsync("submit", spec)).Code);
        Assert.Equal(ExitCodes.Running, (await CliAsync("status", "cli-slow")).Code);
        var timedOut = await CliAsync("watch", "cli-slow", "--timeout", "0.5");
        Assert.Equal(ExitCodes.TimedOut, timedOut.Code);

        var cancel = await CliAsync("cancel", "cli-slow", "--json");
        Assert.True(cancel.Code == ExitCodes.Ok, cancel.Err);
        Assert.Contains("\"state\":\"Cancelled\"", cancel.Out, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Cancelled, (await CliAsync("watch", "cli-slow")).Code);
        Assert.Equal(ExitCodes.Cancelled, (await CliAsync("fetch", "cli-slow", "--out", Path.Combine(cluster.Folder, "none"))).Code);
    }

    [Fact]
    public async Task Cli_reports_an_unreachable_cluster_and_bad_input()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = await Cli.RunAsync(["jobs", "--cluster", "127.0.0.1:1", "--connect-timeout", "5"], stdout, stderr);
        Assert.Equal(ExitCodes.Unreachable, code);

        Assert.Equal(ExitCodes.BadInput, (await CliAsync("submit", Path.Combine(cluster.Folder, "missing.json"))).Code);
        Assert.Equal(ExitCodes.BadInput, (await CliAsync("status", "never-submitted")).Code);
    }

    [Fact]
    public async Task Http_submit_poll_report_and_resubmit()
    {
        using var http = Http();
        string body = """{"job-id": "http-job", "embeddings": {"image": "image.npy", "text": "text.npy"}, "k": 3, "seed": 11, "out": "out-http", "ratios": [1, 2, 5], "epochs": 20}""";
        using var first = await http.PostAsync("jobs", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal("/jobs/http-job", first.Headers.Location?.ToString());

        string state = "";
        string status = "";
        for (var deadline = DateTime.UtcNow.AddSeconds(120); DateTime.UtcNow < deadline && state is not ("Done" or "Failed" or "Cancelled");)
        {
            await Task.Delay(300);
            status = await http.GetStringAsync("jobs/http-job");
            state = JsonDocument.Parse(status).RootElement.GetProperty("state").GetString()!;
        }

        Assert.True(state == "Done", status + cluster.Logs());
        string report = await http.GetStringAsync("jobs/http-job/report");
        using (JsonDocument.Parse(report))
        {
        }

        using var again = await http.PostAsync("jobs", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(status, await again.Content.ReadAsStringAsync());
        Assert.Equal(report, await http.GetStringAsync("jobs/http-job/report"));

        using var markdown = new HttpRequestMessage(HttpMethod.Get, "jobs/http-job/report");
        markdown.Headers.Accept.ParseAdd("text/markdown");
        using var md = await http.SendAsync(markdown);
        Assert.Equal(HttpStatusCode.OK, md.StatusCode);

        Assert.Contains("http-job", await http.GetStringAsync("jobs"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("jobs/nope")).StatusCode);
        Assert.Contains("/jobs/{id}", await http.GetStringAsync("openapi.json"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_cancels_a_running_job()
    {
        using var http = Http();
        string body = """{"job-id": "http-slow", "embeddings": {"image": "image.npy", "text": "text.npy"}, "k": 3, "out": "out-http-slow", "repeats": 3, "epochs": 500, "bootstrap": 2000}""";
        Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsync("jobs", new StringContent(body, Encoding.UTF8, "application/json"))).StatusCode);
        using var cancelled = await http.DeleteAsync("jobs/http-slow");
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        Assert.Contains("\"state\":\"Cancelled\"", await cancelled.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, (await http.GetAsync("jobs/http-slow/report")).StatusCode);
    }

    [Fact]
    public async Task Http_refuses_requests_without_the_token()
    {
        using var anonymous = Http(token: null);
        using var response = await anonymous.GetAsync("jobs");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var wrong = Http(token: "not-the-token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.PostAsync("jobs", new StringContent("{}", Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("healthz")).StatusCode);
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("../image.npy")]
    [InlineData("escape/passwd")]
    public async Task Http_refuses_paths_outside_the_data_root(string path)
    {
        string link = Path.Combine(cluster.DataRoot, "escape");
        if (!Directory.Exists(link))
        {
            try
            {
                Directory.CreateSymbolicLink(link, "/etc");
            }
            catch (IOException)
            {
                // Another case created it at the same time.
            }
        }

        using var http = Http();
        string body = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["embeddings"] = new Dictionary<string, string> { ["image"] = path, ["text"] = "text.npy" },
            ["k"] = 3,
            ["out"] = "out-refused",
        });
        using var response = await http.PostAsync("jobs", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("embeddings.image", problem.RootElement.GetProperty("input").GetString());
    }

    [Fact]
    public async Task Http_refuses_malformed_and_oversized_bodies()
    {
        using var http = Http();
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("jobs", new StringContent("{\"nope\": 1}", Encoding.UTF8, "application/json"))).StatusCode);
        string huge = "{\"out\": \"" + new string('a', 200_000) + "\"}";
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await http.PostAsync("jobs", new StringContent(huge, Encoding.UTF8, "application/json"))).StatusCode);
    }
}
