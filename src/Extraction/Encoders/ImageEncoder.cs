using Microsoft.Extensions.Logging;
using SkiaSharp;

namespace Scar.Extraction.Encoders;

/// <summary>
/// Images through an ONNX vision model: SkiaSharp decodes (JPEG, PNG, WebP, GIF, BMP), transparent pixels are
/// composited over white, the image is resized to <see cref="EncoderConfig.InputSize"/> square, scaled, mean/std
/// normalized into planar NCHW in the configured channel order, optionally passed through a preprocessing model.
/// </summary>
public sealed class ImageEncoder : IEncoder
{
    private readonly EncoderConfig _config;
    private OnnxModel _model;
    private readonly OnnxModel? _preprocess;
    private readonly bool _bgr;

    /// <summary>Loads the model(s) of <paramref name="config"/>.</summary>
    public ImageEncoder(EncoderConfig config, ILogger? logger = null)
    {
        _config = config;
        if (config.Mean.Length != 3 || config.Std.Length != 3 || config.Std.Any(s => s == 0))
        {
            throw new ExtractionException("image encoder: mean and std need three values each (one per channel) and std must be non-zero.");
        }

        _bgr = config.ChannelOrder.Equals("BGR", StringComparison.OrdinalIgnoreCase);
        if (!_bgr && !config.ChannelOrder.Equals("RGB", StringComparison.OrdinalIgnoreCase))
        {
            throw new ExtractionException($"image encoder: channel order '{config.ChannelOrder}' must be RGB or BGR.");
        }

        _model = new OnnxModel(config.Model, config.InputName, config.OutputName, config.Provider, logger);
        _preprocess = config.PreprocessModel is null ? null : new OnnxModel(config.PreprocessModel, null, null, config.Provider, null);
        Dimension = Pooling.Width(_model.OutputShape, config.Pooling) ?? ProbeWidth();
        if (_model.SingleBatch && config.BatchSize > 1)
        {
            TryBatchedModel(logger);
        }
    }

    // A model declaring batch 1 (the CNTK ResNet18) is rewritten with a symbolic batch dimension and kept when a
    // batch of two gives the same rows as two single runs; otherwise inputs run one by one.
    private void TryBatchedModel(ILogger? logger)
    {
        try
        {
            var rewritten = OnnxBatchDimension.FreeBatchDimension(File.ReadAllBytes(_config.Model));
            if (rewritten is null)
            {
                return;
            }

            string path = Path.Combine(Path.GetTempPath(), $"scar-{Path.GetFileNameWithoutExtension(_config.Model)}-{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(rewritten))[..16]}.onnx");
            if (!File.Exists(path))
            {
                string temp = path + $".{Environment.ProcessId}.tmp";
                File.WriteAllBytes(temp, rewritten);
                File.Move(temp, path, overwrite: true);
            }

            var batched = new OnnxModel(path, _config.InputName, _config.OutputName, _config.Provider, null);
            int per = PixelCount;
            var two = new float[2 * per];
            for (int i = 0; i < two.Length; i++)
            {
                two[i] = (float)Math.Sin(i * 0.001) * 50;
            }

            long[] one = [1, 3, _config.InputSize, _config.InputSize];
            var (together, _) = batched.Run(two, [2, 3, _config.InputSize, _config.InputSize]);
            var (first, _) = _model.Run(two[..per], one);
            var (second, _) = _model.Run(two[per..], one);
            float scale = Math.Max(1e-6f, first.Concat(second).Max(Math.Abs));
            bool same = together.Length == first.Length + second.Length
                && together.Zip(first.Concat(second)).All(p => Math.Abs(p.First - p.Second) <= 1e-3f * scale);
            if (same)
            {
                _model.Dispose();
                _model = batched;
                logger?.LogInformation("{Model} declares batch 1; running it with a symbolic batch dimension (batches of {Batch})", Path.GetFileName(_config.Model), _config.BatchSize);
            }
            else
            {
                batched.Dispose();
            }
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException or ExtractionException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException or IndexOutOfRangeException or ArgumentException)
        {
            logger?.LogInformation("{Model} runs one input at a time ({Reason})", Path.GetFileName(_config.Model), e.Message.Split('\n')[0]);
        }
    }

    /// <inheritdoc/>
    public EncoderKind Kind => EncoderKind.Image;

    /// <inheritdoc/>
    public int Dimension { get; }

    /// <inheritdoc/>
    public int BatchSize => _model.SingleBatch ? 1 : _config.BatchSize;

    /// <inheritdoc/>
    public string Provider => _model.Provider;

    /// <summary>Values per image tensor (3 × side × side).</summary>
    public int PixelCount => 3 * _config.InputSize * _config.InputSize;

    /// <inheritdoc/>
    public PreparedInput Prepare(MediaInput input)
    {
        byte[] bytes = input.Bytes ?? ReadFile(input.Path);
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data) ?? throw new BadRecordException("unreadable image (not a decodable JPEG/PNG/WebP/GIF/BMP)");
        using var decoded = SKBitmap.Decode(codec) ?? throw new BadRecordException("unreadable image (corrupt image data)");
        if (decoded.Width <= 0 || decoded.Height <= 0)
        {
            throw new BadRecordException("unreadable image (empty)");
        }

        int side = _config.InputSize;
        using var target = new SKBitmap(new SKImageInfo(side, side, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(target))
        using (var image = SKImage.FromBitmap(decoded))
        {
            canvas.Clear(SKColors.White);
            canvas.DrawImage(image, new SKRect(0, 0, side, side), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        }

        return new PreparedInput { Values = ToTensor(target.GetPixelSpan(), 4), Length = 1 };
    }

    /// <summary>Turns interleaved 8-bit RGB(A) pixels of side × side into the model's tensor (and its preprocessing model).</summary>
    public float[] ToTensor(ReadOnlySpan<byte> pixels, int stride)
    {
        int side = _config.InputSize, plane = side * side;
        var tensor = new float[3 * plane];
        float scale = _config.PixelScale;
        Span<float> mul = stackalloc float[3];
        Span<float> add = stackalloc float[3];
        Span<int> source = stackalloc int[3];
        for (int c = 0; c < 3; c++)
        {
            // Tensor channel c takes source channel R,G,B (or B,G,R).
            source[c] = _bgr ? 2 - c : c;
            mul[c] = scale / _config.Std[c];
            add[c] = -_config.Mean[c] / _config.Std[c];
        }

        for (int p = 0; p < plane; p++)
        {
            int o = p * stride;
            tensor[p] = pixels[o + source[0]] * mul[0] + add[0];
            tensor[plane + p] = pixels[o + source[1]] * mul[1] + add[1];
            tensor[(2 * plane) + p] = pixels[o + source[2]] * mul[2] + add[2];
        }

        if (_preprocess is null)
        {
            return tensor;
        }

        long[] shape = _preprocess.InputShape.Length == 4 ? [1, 3, side, side] : [3, side, side];
        return _preprocess.Run(tensor, shape).Data;
    }

    /// <inheritdoc/>
    public void Encode(IReadOnlyList<PreparedInput> batch, Span<float> output)
    {
        int per = PixelCount, d = Dimension;
        for (int start = 0; start < batch.Count; start += BatchSize)
        {
            int n = Math.Min(BatchSize, batch.Count - start);
            var data = new float[n * per];
            for (int i = 0; i < n; i++)
            {
                batch[start + i].Values.AsSpan().CopyTo(data.AsSpan(i * per, per));
            }

            var (result, shape) = _model.Run(data, [n, 3, _config.InputSize, _config.InputSize]);
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

    /// <summary>Encodes several frame tensors of one clip and writes their mean (video).</summary>
    public void EncodeMean(float[] frames, int count, Span<float> row)
    {
        int per = PixelCount, d = Dimension;
        var one = new float[d];
        var sum = new float[d];
        var list = new PreparedInput[1];
        for (int f = 0; f < count; f++)
        {
            list[0] = new PreparedInput { Values = frames.AsSpan(f * per, per).ToArray(), Length = 1 };
            Encode(list, one);
            System.Numerics.Tensors.TensorPrimitives.Add(sum, one, sum);
        }

        System.Numerics.Tensors.TensorPrimitives.Divide(sum, Math.Max(1, count), sum);
        sum.CopyTo(row);
    }

    private int ProbeWidth()
    {
        var (_, shape) = _model.Run(new float[PixelCount], [1, 3, _config.InputSize, _config.InputSize]);
        return _config.Pooling == PoolingKind.None ? (int)(shape.Skip(1).Aggregate(1L, (a, b) => a * b)) : (int)shape[^1];
    }

    private static byte[] ReadFile(string? path)
    {
        if (path is null)
        {
            throw new BadRecordException("no image given");
        }

        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BadRecordException($"unreadable image ({e.GetType().Name}: {Path.GetFileName(path)})", e);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _model.Dispose();
        _preprocess?.Dispose();
    }
}
