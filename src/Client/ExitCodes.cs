namespace Scar.Client;

/// <summary>Exit codes of the <c>scar</c> command, stable so that workflow engines can branch on them.</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>An unexpected internal error (a bug or the environment); the message says what.</summary>
    public const int InternalError = 1;

    /// <summary>A bad input: missing or malformed file, wrong shape or dtype, NaN, unpaired rows, k &gt; n, a bad option.</summary>
    public const int BadInput = 2;

    /// <summary>The job ran and failed.</summary>
    public const int JobFailed = 3;

    /// <summary>The job or command was cancelled (Ctrl+C, SIGTERM, or a cancel request).</summary>
    public const int Cancelled = 4;

    /// <summary>No gateway of the cluster named by --cluster answered.</summary>
    public const int Unreachable = 5;

    /// <summary>--timeout ran out before the job finished (the job itself keeps running; watch or cancel it).</summary>
    public const int TimedOut = 6;

    /// <summary><c>scar status</c> / <c>scar fetch</c>: the job is still running.</summary>
    public const int Running = 7;

    /// <summary>A different spec was submitted under an existing job id.</summary>
    public const int Conflict = 8;
}
