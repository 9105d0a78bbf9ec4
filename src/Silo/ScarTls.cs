using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace Scar.Silo;

/// <summary>
/// Mutual TLS between silos and for clients with one cluster certificate: each side presents it and accepts only a
/// peer presenting the same certificate (pinned by thumbprint), so a client without it cannot connect.
/// </summary>
public static class ScarTls
{
    /// <summary>Loads the PFX (PKCS#12) file at <paramref name="path"/> with its private key; errors name <paramref name="input"/>.</summary>
    public static X509Certificate2 Load(string path, string? password, string input = "SCAR_TLS_CERT")
    {
        if (!File.Exists(path))
        {
            throw new Core.ScarInputException(input, $"'{path}' does not exist; give the cluster's PKCS#12 (.pfx) certificate file.");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password);
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new Core.ScarInputException(input, $"'{path}' is not a readable PKCS#12 (.pfx) certificate with its key (wrong or missing password?): {e.Message}", e);
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new Core.ScarInputException(input, $"'{path}' holds no private key; export the certificate with its key (PKCS#12).");
        }

        return certificate;
    }

    /// <summary>Whether <paramref name="remote"/> is the cluster certificate.</summary>
    public static bool IsTrusted(X509Certificate2 cluster, X509Certificate2? remote) =>
        remote is not null && string.Equals(remote.Thumbprint, cluster.Thumbprint, StringComparison.OrdinalIgnoreCase);

    /// <summary>TLS on every silo-to-silo and gateway connection of <paramref name="silo"/>.</summary>
    public static ISiloBuilder UseScarTls(this ISiloBuilder silo, X509Certificate2 certificate) =>
        silo.UseTls(certificate, o => Configure(o, certificate));

    /// <summary>TLS on <paramref name="client"/>'s gateway connections, presenting <paramref name="certificate"/>.</summary>
    public static IClientBuilder UseScarTls(this IClientBuilder client, X509Certificate2 certificate) =>
        client.UseTls(certificate, o => Configure(o, certificate));

    private static void Configure(TlsOptions options, X509Certificate2 certificate)
    {
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.RemoteCertificateValidation = (remote, _, _) => IsTrusted(certificate, remote);
    }
}
