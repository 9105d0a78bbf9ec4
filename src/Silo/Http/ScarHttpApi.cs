using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Scar.Abstractions;
using Scar.Core;
using Scar.Grains;

namespace Scar.Silo.Http;

/// <summary>
/// The silo's HTTP API (opt-in with SCAR_HTTP_PORT): <c>POST /jobs</c>, <c>GET /jobs</c>, <c>GET /jobs/{id}</c>,
/// <c>GET /jobs/{id}/report</c> (JSON, or HTML / Markdown by Accept), <c>DELETE /jobs/{id}</c>, <c>/healthz</c>,
/// <c>/readyz</c> and the OpenAPI document at <c>/openapi.json</c>. Every request but the health checks needs
/// <c>Authorization: Bearer SCAR_API_TOKEN</c> when a token is configured; errors are problem details.
/// </summary>
public static class ScarHttpApi
{
    /// <summary>Adds the API to the host when <paramref name="settings"/> is not null.</summary>
    public static IHostBuilder UseScarHttpApi(this IHostBuilder host, HttpApiSettings? settings) => settings is null ? host : host.ConfigureWebHost(web => web
        .UseKestrel(k =>
        {
            k.Listen(settings.Bind, settings.Port);
            k.Limits.MaxRequestBodySize = settings.MaxBodyBytes;
            k.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
        })
        .ConfigureServices(services =>
        {
            services.AddRouting();
            services.AddProblemDetails();
            services.AddOpenApi("v1");
            services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
            services.AddSingleton(settings);
            services.AddSingleton(new DataRoots(settings.DataRoots));
        })
        .Configure(app =>
        {
            app.UseExceptionHandler();
            app.UseStatusCodePages();
            app.Use(Authenticate);
            app.UseRouting();
            app.UseEndpoints(Map);
        }));

    /// <summary>Whether <paramref name="header"/> carries the bearer <paramref name="token"/> (constant-time comparison).</summary>
    public static bool IsAuthorized(string? header, string token)
    {
        const string scheme = "Bearer ";
        if (header is null || !header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        // Hash both sides so that the comparison takes the same time whatever the lengths.
        byte[] given = SHA256.HashData(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim()));
        byte[] expected = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        return CryptographicOperations.FixedTimeEquals(given, expected);
    }

    private static async Task Authenticate(HttpContext context, RequestDelegate next)
    {
        string? token = context.RequestServices.GetRequiredService<HttpApiSettings>().Token;
        bool open = context.Request.Path.StartsWithSegments("/healthz") || context.Request.Path.StartsWithSegments("/readyz");
        if (token is null || open || IsAuthorized(context.Request.Headers.Authorization, token))
        {
            await next(context);
            return;
        }

        context.Response.Headers.WWWAuthenticate = "Bearer";
        await Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: "give 'Authorization: Bearer TOKEN' (SCAR_API_TOKEN of the silo).").ExecuteAsync(context);
    }

    private static void Map(IEndpointRouteBuilder api)
    {
        api.MapOpenApi("/openapi.json");
        api.MapGet("/healthz", () => Results.Ok(new { status = "ok" })).WithSummary("Liveness: the process answers.");
        api.MapGet("/readyz", async (IGrainFactory grains, CancellationToken ct) =>
        {
            try
            {
                await grains.GetGrain<IJobRegistryGrain>(IJobRegistryGrain.Key).ListAsync(ct).WaitAsync(TimeSpan.FromSeconds(5), ct);
                return Results.Ok(new { status = "ready" });
            }
            catch (Exception e) when (e is TimeoutException or OrleansException)
            {
                return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready", detail: e.Message);
            }
        }).WithSummary("Readiness: the silo serves grain calls.");

        api.MapPost("/jobs", SubmitAsync)
            .WithSummary("Submit a job. Body: a job spec (field names are the options of scar characterize, plus job-id). Idempotent for the same job-id and spec.")
            .Accepts<JobSpecDocument>("application/json")
            .Produces<JobStatus>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);

        api.MapGet("/jobs", async (IGrainFactory grains, CancellationToken ct) =>
        {
            var entries = await grains.GetGrain<IJobRegistryGrain>(IJobRegistryGrain.Key).ListAsync(ct);
            return Results.Ok(await Task.WhenAll(entries.Select(e => grains.GetGrain<IScarJobGrain>(e.JobId).GetStatusAsync(ct))));
        }).WithSummary("The statuses of every submitted job, oldest first.").Produces<JobStatus[]>();

        api.MapGet("/jobs/{id}", async (string id, IGrainFactory grains, CancellationToken ct) =>
            await WithJobAsync(id, grains, ct, status => Task.FromResult(Results.Ok(status))))
            .WithSummary("A job's status.").Produces<JobStatus>().ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/jobs/{id}/report", async (string id, HttpRequest request, IGrainFactory grains, CancellationToken ct) =>
            await WithJobAsync(id, grains, ct, async status =>
            {
                if (status.State != JobState.Done)
                {
                    return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not done", detail: $"job '{id}' is {status.State.ToString().ToLowerInvariant()}.");
                }

                string accept = request.Headers.Accept.ToString();
                string? dir = status.ReportPath is null ? null : Path.GetDirectoryName(status.ReportPath);
                foreach (var (type, file) in new[] { ("text/html", "report.html"), ("text/markdown", "summary.md") })
                {
                    if (accept.Contains(type, StringComparison.OrdinalIgnoreCase) && dir is not null && File.Exists(Path.Combine(dir, file)))
                    {
                        return Results.File(Path.Combine(dir, file), $"{type}; charset=utf-8");
                    }
                }

                string report = await grains.GetGrain<IScarJobGrain>(id).GetReportAsync(ct) ?? "{}";
                return Results.Text(report, "application/json", Encoding.UTF8);
            }))
            .WithSummary("The report of a finished job: report.json, or report.html (Accept: text/html) / summary.md (Accept: text/markdown) when present.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        api.MapDelete("/jobs/{id}", async (string id, IGrainFactory grains, CancellationToken ct) =>
            await WithJobAsync(id, grains, ct, async _ => Results.Ok(await grains.GetGrain<IScarJobGrain>(id).CancelAsync(ct))))
            .WithSummary("Cancel a running job (a finished one is left as it is).").Produces<JobStatus>().ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> SubmitAsync(HttpRequest request, IGrainFactory grains, DataRoots roots, CancellationToken ct)
    {
        try
        {
            string body;
            using (var reader = new StreamReader(request.Body, Encoding.UTF8))
            {
                body = await reader.ReadToEndAsync(ct);
            }

            var document = JobSpecDocument.Parse(body, "body");
            roots.Check(document);
            var spec = document.ToJobSpec(roots.Roots[0], "body");
            spec.ToOptions().Validate();
            string id = document.JobId is null ? JobIds.New() : JobIds.Validate(document.JobId, "job-id");
            var status = await grains.GetGrain<IScarJobGrain>(id).StartAsync(spec, ct);
            return Results.Accepted($"/jobs/{id}", status);
        }
        catch (ScarInputException e)
        {
            return BadInput(e);
        }
        catch (InvalidOperationException e)
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: e.Message);
        }
        catch (BadHttpRequestException e)
        {
            return Results.Problem(statusCode: e.StatusCode, title: "Bad request", detail: e.Message);
        }
    }

    private static async Task<IResult> WithJobAsync(string id, IGrainFactory grains, CancellationToken ct, Func<JobStatus, Task<IResult>> then)
    {
        try
        {
            JobIds.Validate(id, "id");
        }
        catch (ScarInputException e)
        {
            return BadInput(e);
        }

        var status = await grains.GetGrain<IScarJobGrain>(id).GetStatusAsync(ct);
        return status.State == JobState.Unknown
            ? Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such job", detail: $"no job '{id}' was submitted.")
            : await then(status);
    }

    private static IResult BadInput(ScarInputException e) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad input", detail: e.Message, extensions: new Dictionary<string, object?> { ["input"] = e.Input });
}
