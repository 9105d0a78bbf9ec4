namespace Scar.Extraction;

/// <summary>An input or configuration problem that stops extraction; the message names the file and the fix.</summary>
public sealed class ExtractionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ExtractionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public ExtractionException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates an empty exception (serialization pattern).</summary>
    public ExtractionException()
    {
    }
}
