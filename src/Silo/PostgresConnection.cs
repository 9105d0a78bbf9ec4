using Npgsql;

namespace Scar.Silo;

/// <summary>
/// PostgreSQL for clustering and grain storage through Orleans' ADO.NET providers (Invariant "Npgsql"). The database
/// must hold scripts/postgres/scar-orleans.sql (scripts/postgres-setup.sh applies it).
/// </summary>
public static class PostgresConnection
{
    /// <summary>The ADO.NET invariant name Orleans loads Npgsql by.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>
    /// An Npgsql connection string from <paramref name="value"/>: either one already ("Host=db;Database=scar;Username=scar")
    /// or a URI "postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?KEYWORD=VALUE&amp;...]" (postgresql:// too; query
    /// keywords are Npgsql's, for example ?SSL Mode=Require). Without a password Npgsql takes PGPASSWORD or ~/.pgpass.
    /// Errors name <paramref name="input"/>.
    /// </summary>
    public static string Parse(string value, string input)
    {
        string text = value.Trim();
        if (text.Length == 0)
        {
            throw new Core.ScarInputException(input, "give a PostgreSQL connection: postgres://USER@HOST:PORT/DATABASE or Host=HOST;Database=DATABASE;Username=USER.");
        }

        try
        {
            var builder = IsUri(text) ? FromUri(text, input) : new NpgsqlConnectionStringBuilder(text);
            if (string.IsNullOrEmpty(builder.Host))
            {
                throw new Core.ScarInputException(input, $"'{Redact(text)}' names no host; add Host=HOST (or postgres://USER@HOST/DATABASE).");
            }

            if (string.IsNullOrEmpty(builder.Database))
            {
                throw new Core.ScarInputException(input, $"'{Redact(text)}' names no database; add Database=NAME (or /NAME after the host), the database scripts/postgres-setup.sh prepared.");
            }

            return builder.ConnectionString;
        }
        catch (ArgumentException e)
        {
            throw new Core.ScarInputException(input, $"'{Redact(text)}' is not a PostgreSQL connection string ({e.Message}); write postgres://USER@HOST:PORT/DATABASE or Host=HOST;Port=5432;Database=DATABASE;Username=USER.", e);
        }
    }

    /// <summary>
    /// Connects once and checks that the database holds Scar's schema, so that an unreachable server, a refused login
    /// or an unprepared database is a message naming <paramref name="input"/> and the fix rather than an Orleans
    /// start-up failure. Throws <see cref="Core.ScarInputException"/>.
    /// </summary>
    public static async Task CheckAsync(string connectionString, string input, CancellationToken cancellationToken = default)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        string where = $"database '{builder.Database}' on {builder.Host}:{builder.Port} as '{builder.Username}'";
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand(
                "SELECT to_regclass('orleansquery') IS NOT NULL AND to_regclass('scar_grain_state') IS NOT NULL AND to_regclass('scar_membership') IS NOT NULL", connection);
            if (await command.ExecuteScalarAsync(cancellationToken) is not true)
            {
                throw new Core.ScarInputException(input, $"{where} lacks Scar's tables; prepare it with scripts/postgres-setup.sh --database {builder.Database}.");
            }
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw new Core.ScarInputException(input, $"cannot use {where}: {e.Message}. Check the host, port, user and password in {input} and that the server accepts this client.", e);
        }
    }

    /// <summary>Whether <paramref name="value"/> is a postgres:// or postgresql:// URI.</summary>
    public static bool IsUri(string value) =>
        value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase);

    /// <summary><paramref name="connectionString"/> without its password, for messages.</summary>
    public static string Redact(string connectionString)
    {
        if (IsUri(connectionString))
        {
            return Uri.TryCreate(connectionString, UriKind.Absolute, out var uri) && uri.UserInfo.Contains(':', StringComparison.Ordinal)
                ? connectionString.Replace(uri.UserInfo, uri.UserInfo[..uri.UserInfo.IndexOf(':', StringComparison.Ordinal)] + ":***", StringComparison.Ordinal)
                : connectionString;
        }

        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (builder.Password is not null)
            {
                builder.Password = "***";
            }

            return builder.ConnectionString;
        }
        catch (ArgumentException)
        {
            return "(unreadable connection string)";
        }
    }

    private static NpgsqlConnectionStringBuilder FromUri(string text, string input)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new Core.ScarInputException(input, $"'{Redact(text)}' is not a URI of the form postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE.");
        }

        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host };
        if (!uri.IsDefaultPort && uri.Port > 0)
        {
            builder.Port = uri.Port;
        }

        if (uri.UserInfo.Length > 0)
        {
            string[] user = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(user[0]);
            if (user.Length == 2)
            {
                builder.Password = Uri.UnescapeDataString(user[1]);
            }
        }

        string database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        foreach (string pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] kv = pair.Split('=', 2);
            if (kv.Length != 2)
            {
                throw new Core.ScarInputException(input, $"'{pair}' in '{Redact(text)}' is not KEYWORD=VALUE.");
            }

            builder[Uri.UnescapeDataString(kv[0].Replace('+', ' '))] = Uri.UnescapeDataString(kv[1].Replace('+', ' '));
        }

        return builder;
    }
}
