using Microsoft.Extensions.Logging;
using Scar.Extraction.Media;

namespace Scar.Extraction.Encoders;

/// <summary>
/// Video through the image encoder's configuration: ffmpeg samples frames at
/// <see cref="EncoderConfig.FramesPerSecond"/> (at most <see cref="EncoderConfig.MaxFrames"/>), each frame is
/// preprocessed and encoded like an image, and the frame embeddings are mean-pooled (then L2-normalized).
/// </summary>
public sealed class VideoEncoder : IEncoder
{
    private readonly EncoderConfig _config;
    private readonly ImageEncoder _frames;

    /// <summary>Loads the frame model of <paramref name="config"/>.</summary>
    public VideoEncoder(EncoderConfig config, ILogger? logger = null)
    {
        _config = config;
        if (config.FramesPerSecond <= 0 || config.MaxFrames < 1)
        {
            throw new ExtractionException("video encoder: frames_per_second must be positive and max_frames at least 1.");
        }

        _frames = new ImageEncoder(config with { Kind = EncoderKind.Image, Normalize = true }, logger);
    }

    /// <inheritdoc/>
    public EncoderKind Kind => EncoderKind.Video;

    /// <inheritdoc/>
    public int Dimension => _frames.Dimension;

    /// <inheritdoc/>
    public int BatchSize => 1;

    /// <inheritdoc/>
    public string Provider => _frames.Provider;

    /// <inheritdoc/>
    public PreparedInput Prepare(MediaInput input)
    {
        string? path = input.Path;
        string? temp = null;
        try
        {
            if (path is null)
            {
                temp = Path.Combine(Path.GetTempPath(), $"scar-video-{Guid.NewGuid():N}");
                File.WriteAllBytes(temp, input.Bytes ?? throw new BadRecordException("no video given"));
                path = temp;
            }

            List<byte[]> frames;
            try
            {
                frames = FfmpegFrames.Read(path, _config.FramesPerSecond, _config.InputSize, _config.MaxFrames);
            }
            catch (FormatException e)
            {
                throw new BadRecordException($"unreadable video ({e.Message})", e);
            }

            int per = _frames.PixelCount;
            var values = new float[frames.Count * per];
            for (int f = 0; f < frames.Count; f++)
            {
                _frames.ToTensor(frames[f], 3).CopyTo(values.AsSpan(f * per, per));
            }

            return new PreparedInput { Values = values, Length = frames.Count };
        }
        finally
        {
            if (temp is not null)
            {
                File.Delete(temp);
            }
        }
    }

    /// <inheritdoc/>
    public void Encode(IReadOnlyList<PreparedInput> batch, Span<float> output)
    {
        int d = Dimension;
        for (int i = 0; i < batch.Count; i++)
        {
            var row = output.Slice(i * d, d);
            _frames.EncodeMean(batch[i].Values, batch[i].Length, row);
            if (_config.Normalize)
            {
                Pooling.L2Normalize(row);
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _frames.Dispose();
}
