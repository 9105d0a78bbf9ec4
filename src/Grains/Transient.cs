namespace Scar.Grains;

/// <summary>Retries grain calls that failed because a silo went away or a message was lost; other errors pass through.</summary>
public static class Transient
{
    private static readonly string[] TransientTypes =
    [
        "SiloUnavailableException", "OrleansMessageRejectionException", "ConnectionFailedException", "TimeoutException",
        "GatewayTooBusyException", "ClientNotAvailableException",
    ];

    /// <summary>Attempts per call.</summary>
    public const int Attempts = 6;

    /// <summary>Whether <paramref name="e"/> is a transport fault worth a retry (the work is deterministic, so a retry gives the same answer).</summary>
    public static bool IsTransient(Exception e) =>
        Array.IndexOf(TransientTypes, e.GetType().Name) >= 0 || (e.InnerException is { } inner && IsTransient(inner));

    /// <summary>Runs <paramref name="call"/>, retrying transport faults with a growing delay.</summary>
    public static async Task<T> RetryAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (attempt < Attempts && IsTransient(e) && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250 * (1 << Math.Min(attempt, 5))), cancellationToken);
            }
        }
    }
}
