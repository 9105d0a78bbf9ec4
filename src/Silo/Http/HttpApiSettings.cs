using System.Net;
using Scar.Core;

namespace Scar.Silo.Http;

/// <summary>
/// Configuration of the silo's HTTP API, read from environment variables. The API is off unless SCAR_HTTP_PORT is
/// set.
/// </summary>
public sealed record HttpApiSettings
{
    /// <summary>SCAR_HTTP_PORT: the port to listen on.</summary>
    public required int Port { get; init; }

    /// <summary>SCAR_HTTP_BIND: the address to listen on (default 127.0.0.1).</summary>
    public IPAddress Bind { get; init; } = IPAddress.Loopback;

    /// <summary>SCAR_API_TOKEN: the bearer token every request but the health checks must carry; null for none (loopback only).</summary>
    public string? Token { get; init; }

    /// <summary>SCAR_DATA_ROOTS: ':'-separated folders that every path of a submitted job must lie in.</summary>
    public required IReadOnlyList<string> DataRoots { get; init; }

    /// <summary>SCAR_HTTP_MAX_BODY: largest request body in bytes (default 64 KiB).</summary>
    public long MaxBodyBytes { get; init; } = 64 * 1024;

    /// <summary>The settings from the environment, or null when SCAR_HTTP_PORT is not set; names the wrong variable.</summary>
    public static HttpApiSettings? FromEnvironment()
    {
        if (Env("SCAR_HTTP_PORT") is not { } portText)
        {
            return null;
        }

        if (!int.TryParse(portText, out int port) || port is < 1 or > 65535)
        {
            throw new ScarInputException("SCAR_HTTP_PORT", $"'{portText}' is not a port number.");
        }

        IPAddress bind = IPAddress.Loopback;
        if (Env("SCAR_HTTP_BIND") is { } bindText && !IPAddress.TryParse(bindText, out bind!))
        {
            throw new ScarInputException("SCAR_HTTP_BIND", $"'{bindText}' is not an IP address (for example 127.0.0.1 or 0.0.0.0).");
        }

        string? token = Env("SCAR_API_TOKEN");
        if (token is null && !IPAddress.IsLoopback(bind))
        {
            throw new ScarInputException("SCAR_API_TOKEN", $"set a bearer token to listen on {bind}; without one the API only binds to loopback.");
        }

        string[] roots = (Env("SCAR_DATA_ROOTS") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (roots.Length == 0 || roots.Any(r => !Path.IsPathFullyQualified(r)))
        {
            throw new ScarInputException("SCAR_DATA_ROOTS", "give the absolute folders that job paths may use, ':'-separated (for example /data:/scratch).");
        }

        long maxBody = 64 * 1024;
        if (Env("SCAR_HTTP_MAX_BODY") is { } maxText && (!long.TryParse(maxText, out maxBody) || maxBody < 1024))
        {
            throw new ScarInputException("SCAR_HTTP_MAX_BODY", $"'{maxText}' is not a byte count of at least 1024.");
        }

        return new HttpApiSettings { Port = port, Bind = bind, Token = token, DataRoots = roots, MaxBodyBytes = maxBody };
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;
}
