using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using Scar.Silo;

namespace Scar.Client.Commands;

/// <summary>
/// <c>--tls-cert FILE [--tls-cert-password P]</c> (or SCAR_TLS_CERT / SCAR_TLS_CERT_PASSWORD) on every verb that
/// takes <c>--cluster</c>: the cluster certificate that silos started with SCAR_TLS_CERT require of their clients.
/// </summary>
public static class ClusterTlsOptions
{
    /// <summary>The certificate file.</summary>
    public static readonly Option<string?> Cert = new("--tls-cert")
    {
        Description = "The cluster's PKCS#12 (.pfx) certificate, for a cluster whose silos use TLS (SCAR_TLS_CERT); default: $SCAR_TLS_CERT.",
        DefaultValueFactory = _ => Env("SCAR_TLS_CERT"),
    };

    /// <summary>Its password.</summary>
    public static readonly Option<string?> Password = new("--tls-cert-password")
    {
        Description = "Password of the --tls-cert file (default: $SCAR_TLS_CERT_PASSWORD; prefer the variable, command lines are visible to other users).",
        DefaultValueFactory = _ => Env("SCAR_TLS_CERT_PASSWORD"),
    };

    /// <summary>Adds both options to <paramref name="command"/>.</summary>
    public static void AddTo(Command command)
    {
        command.Options.Add(Cert);
        command.Options.Add(Password);
    }

    /// <summary>The certificate given on the command line or in the environment, or null; errors name --tls-cert.</summary>
    public static X509Certificate2? Load(ParseResult parse)
    {
        string? path = parse.GetValue(Cert);
        if (path is null)
        {
            if (parse.GetResult(Password) is { Implicit: false })
            {
                throw new Core.ScarInputException("--tls-cert-password", "is given without --tls-cert; give the certificate file with --tls-cert FILE.");
            }

            return null;
        }

        return ScarTls.Load(Path.GetFullPath(path), parse.GetValue(Password), "--tls-cert");
    }

    /// <summary>
    /// <see cref="Load"/> for a verb whose --cluster is optional: without a cluster (the embedded silo) there is no
    /// certificate to load, and an explicit --tls-cert is an error.
    /// </summary>
    public static X509Certificate2? LoadFor(ParseResult parse, string? cluster)
    {
        if (cluster is not null)
        {
            return Load(parse);
        }

        if (parse.GetResult(Cert) is { Implicit: false })
        {
            throw new Core.ScarInputException("--tls-cert", "applies to a running cluster only; give --cluster too (the embedded silo needs no certificate).");
        }

        return null;
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;
}
