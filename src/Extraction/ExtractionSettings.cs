using Scar.Core.IO;
using Scar.Extraction.Encoders;

namespace Scar.Extraction;

/// <summary>How a dataset is extracted: where to, with which encoders, in which dtype.</summary>
public sealed record ExtractionSettings
{
    /// <summary>Output folder (embeddings at the top, shards/ below).</summary>
    public required string OutDir { get; init; }

    /// <summary>Image (or audio/video) encoder config file; null for the built-in one of the media kind.</summary>
    public string? MediaEncoder { get; init; }

    /// <summary>Text encoder config file; null for the built-in MiniLM.</summary>
    public string? TextEncoder { get; init; }

    /// <summary>float32 or float16 output.</summary>
    public NpyDType DType { get; init; } = NpyDType.Float32;

    /// <summary>Execution provider for every model.</summary>
    public ExecutionProviderKind Provider { get; init; } = ExecutionProviderKind.Auto;

    /// <summary>The config of the encoder for <paramref name="kind"/>.</summary>
    public EncoderConfig ConfigFor(EncoderKind kind)
    {
        string? file = kind == EncoderKind.Text ? TextEncoder : MediaEncoder;
        var config = file is null ? BuiltInModels.For(kind) : EncoderConfig.Load(file);
        if (file is not null && config.Kind != kind && !(kind == EncoderKind.Video && config.Kind == EncoderKind.Image))
        {
            throw new ExtractionException($"encoder config {file} is for {config.Kind.ToString().ToLowerInvariant()}, but the data needs a {kind.ToString().ToLowerInvariant()} encoder.");
        }

        return config with { Kind = kind, Provider = Provider };
    }
}
