namespace Scar.Extraction.Encoders;

/// <summary>One raw input: a text, encoded bytes (an image or WAV file), or a file path (images, audio, video).</summary>
/// <param name="Text">The text, for text encoders.</param>
/// <param name="Bytes">Encoded file bytes, when the data is in memory (tar shards, inline base64).</param>
/// <param name="Path">A file path, when the data is on disk.</param>
public sealed record MediaInput(string? Text = null, byte[]? Bytes = null, string? Path = null);

/// <summary>An input after decoding and preprocessing: the model-ready tensor data of one item.</summary>
public sealed class PreparedInput
{
    /// <summary>Float tensor data (pixels of every frame, or audio samples).</summary>
    public float[] Values { get; init; } = [];

    /// <summary>Token ids (text).</summary>
    public long[]? TokenIds { get; init; }

    /// <summary>Number of real tokens (text), frames (video) or samples (audio).</summary>
    public int Length { get; init; }
}

/// <summary>An input the encoder cannot use; the reason goes into the shard report.</summary>
public sealed class BadRecordException : Exception
{
    /// <summary>Creates the exception with the reason.</summary>
    public BadRecordException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the reason and its cause.</summary>
    public BadRecordException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates an empty exception (serialization pattern).</summary>
    public BadRecordException()
    {
    }
}

/// <summary>
/// An encoder: <see cref="Prepare"/> decodes and preprocesses one input on any thread (the CPU stage that overlaps
/// inference), <see cref="Encode"/> runs the model on a batch of prepared inputs and writes one row each.
/// </summary>
public interface IEncoder : IDisposable
{
    /// <summary>What the encoder reads.</summary>
    EncoderKind Kind { get; }

    /// <summary>Embedding width.</summary>
    int Dimension { get; }

    /// <summary>Inputs per <see cref="Encode"/> call.</summary>
    int BatchSize { get; }

    /// <summary>"CUDA" or "CPU".</summary>
    string Provider { get; }

    /// <summary>Decodes and preprocesses one input; throws <see cref="BadRecordException"/> when it is unusable. Thread-safe.</summary>
    PreparedInput Prepare(MediaInput input);

    /// <summary>Encodes a batch; <paramref name="output"/> holds batch.Count × <see cref="Dimension"/> floats.</summary>
    void Encode(IReadOnlyList<PreparedInput> batch, Span<float> output);
}
