using Microsoft.Extensions.Logging;
using Scar.Extraction.Media;

namespace Scar.Extraction.Encoders;

/// <summary>
/// WAV audio through an ONNX audio model fed the raw waveform [batch, samples]: decoded to mono, resampled to
/// <see cref="EncoderConfig.SampleRate"/>, cut or zero-padded to <see cref="EncoderConfig.AudioSamples"/> (when set),
/// pooled and normalized as configured.
/// </summary>
public sealed class AudioEncoder : IEncoder
{
    private readonly EncoderConfig _config;
    private readonly OnnxModel _model;

    /// <summary>Loads the model of <paramref name="config"/>.</summary>
    public AudioEncoder(EncoderConfig config, ILogger? logger = null)
    {
        _config = config;
        _model = new OnnxModel(config.Model, config.InputName, config.OutputName, config.Provider, logger);
        int samples = config.AudioSamples > 0 ? config.AudioSamples : config.SampleRate;
        Dimension = Pooling.Width(_model.OutputShape, config.Pooling)
            ?? (config.Pooling == PoolingKind.None
                ? (int)_model.Run(new float[samples], [1, samples]).Shape.Skip(1).Aggregate(1L, (a, b) => a * b)
                : (int)_model.Run(new float[samples], [1, samples]).Shape[^1]);
    }

    /// <inheritdoc/>
    public EncoderKind Kind => EncoderKind.Audio;

    /// <inheritdoc/>
    public int Dimension { get; }

    /// <inheritdoc/>
    public int BatchSize => _model.SingleBatch || _config.AudioSamples <= 0 ? 1 : _config.BatchSize;

    /// <inheritdoc/>
    public string Provider => _model.Provider;

    /// <inheritdoc/>
    public PreparedInput Prepare(MediaInput input)
    {
        float[] samples;
        int rate;
        try
        {
            byte[] bytes = input.Bytes ?? File.ReadAllBytes(input.Path ?? throw new BadRecordException("no audio given"));
            (samples, rate) = WavReader.Read(bytes);
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
        {
            throw new BadRecordException($"unreadable audio ({e.Message})", e);
        }

        if (samples.Length == 0)
        {
            throw new BadRecordException("unreadable audio (no samples)");
        }

        samples = WavReader.Resample(samples, rate, _config.SampleRate);
        if (_config.AudioSamples > 0 && samples.Length != _config.AudioSamples)
        {
            Array.Resize(ref samples, _config.AudioSamples);
        }

        return new PreparedInput { Values = samples, Length = samples.Length };
    }

    /// <inheritdoc/>
    public void Encode(IReadOnlyList<PreparedInput> batch, Span<float> output)
    {
        int d = Dimension;
        for (int start = 0; start < batch.Count; start += BatchSize)
        {
            int n = Math.Min(BatchSize, batch.Count - start);
            int len = batch[start].Length;
            var data = new float[n * len];
            for (int i = 0; i < n; i++)
            {
                batch[start + i].Values.AsSpan().CopyTo(data.AsSpan(i * len, len));
            }

            var (result, shape) = _model.Run(data, [n, len]);
            for (int i = 0; i < n; i++)
            {
                var row = output.Slice((start + i) * d, d);
                Pooling.PoolItem(result, shape, i, _config.Pooling, default, row);
                if (_config.Normalize)
                {
                    Pooling.L2Normalize(row);
                }
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _model.Dispose();
}
