using Microsoft.Extensions.Logging;

namespace Scar.Extraction.Encoders;

/// <summary>Builds the encoder a config describes.</summary>
public static class EncoderFactory
{
    /// <summary>The encoder for <paramref name="config"/>.</summary>
    public static IEncoder Create(EncoderConfig config, ILogger? logger = null) => config.Kind switch
    {
        EncoderKind.Image => new ImageEncoder(config, logger),
        EncoderKind.Text => new TextEncoder(config, logger),
        EncoderKind.Audio => new AudioEncoder(config, logger),
        EncoderKind.Video => new VideoEncoder(config, logger),
        _ => throw new ExtractionException($"unknown encoder kind {config.Kind}."),
    };
}
