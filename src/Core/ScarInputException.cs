namespace Scar.Core;

/// <summary>
/// A user-supplied input (a file, an option, a spec field) is wrong. <see cref="Input"/> names it, and the
/// message says what is wrong and how to fix it. The CLI maps this to its "bad input" exit code.
/// </summary>
public sealed class ScarInputException : Exception
{
    /// <summary>Creates the error for <paramref name="input"/> (a path or an option name).</summary>
    public ScarInputException(string input, string message, Exception? inner = null)
        : base($"{input}: {message}", inner)
    {
        Input = input;
        Detail = message;
    }

    /// <summary>The offending input: a file path or an option name such as <c>--k</c>.</summary>
    public string Input { get; }

    /// <summary>The message without the input prefix.</summary>
    public string Detail { get; }
}
