using System.Text.Json;
using System.Text.Json.Serialization;

namespace Scar.Extraction.Encoders;

/// <summary>What an encoder turns into embeddings.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EncoderKind>))]
public enum EncoderKind
{
    /// <summary>Still images (JPEG, PNG, WebP, …) decoded by SkiaSharp.</summary>
    Image,

    /// <summary>Text, WordPiece-tokenized.</summary>
    Text,

    /// <summary>WAV PCM audio, mixed to mono and resampled to the model's rate.</summary>
    Audio,

    /// <summary>Video: frames sampled by ffmpeg, each through the image model, mean-pooled.</summary>
    Video,
}

/// <summary>How a model's output becomes one vector per input.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PoolingKind>))]
public enum PoolingKind
{
    /// <summary>The output is already one vector per input ([B, D] or [B, D, 1, 1]).</summary>
    None,

    /// <summary>Mean over the sequence axis of [B, T, D], weighted by the attention mask (sentence-transformers).</summary>
    Mean,

    /// <summary>The first token of [B, T, D] ([CLS]).</summary>
    Cls,
}

/// <summary>Which ONNX Runtime execution provider runs the model.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ExecutionProviderKind>))]
public enum ExecutionProviderKind
{
    /// <summary>CUDA when a GPU and its libraries are present, else the CPU.</summary>
    Auto,

    /// <summary>Always the CPU provider.</summary>
    Cpu,

    /// <summary>The CUDA provider; fails when it cannot start.</summary>
    Cuda,
}

/// <summary>
/// One encoder: an ONNX model plus the preprocessing it expects. The built-in defaults are
/// <see cref="BuiltInModels.ResNet18"/> and <see cref="BuiltInModels.MiniLmL6"/>; any user ONNX model (a CLIP tower,
/// an audio model) is described by the same record, usually as a JSON file (see docs/formats.md).
/// </summary>
public sealed record EncoderConfig
{
    /// <summary>What the encoder reads.</summary>
    public required EncoderKind Kind { get; init; }

    /// <summary>Path of the .onnx model (relative paths are resolved against the config file's folder).</summary>
    public required string Model { get; init; }

    /// <summary>Optional ONNX model run before <see cref="Model"/> on the raw tensor (ML.NET's ResNet preprocessing: RGB→BGR minus the mean image).</summary>
    public string? PreprocessModel { get; init; }

    /// <summary>Model input name; null for the model's first input.</summary>
    public string? InputName { get; init; }

    /// <summary>Model output name; null for the model's first output.</summary>
    public string? OutputName { get; init; }

    /// <summary>Image side in pixels (square, NCHW); images are resized to it.</summary>
    public int InputSize { get; init; } = 224;

    /// <summary>Pixel scale before mean/std: 1 keeps 0–255, 1/255 gives 0–1.</summary>
    public float PixelScale { get; init; } = 1f / 255f;

    /// <summary>Per-channel mean subtracted after scaling (in <see cref="ChannelOrder"/>).</summary>
    public float[] Mean { get; init; } = [0f, 0f, 0f];

    /// <summary>Per-channel std divided after the mean.</summary>
    public float[] Std { get; init; } = [1f, 1f, 1f];

    /// <summary>"RGB" or "BGR": the channel order of the tensor.</summary>
    public string ChannelOrder { get; init; } = "RGB";

    /// <summary>How the output becomes one vector per input.</summary>
    public PoolingKind Pooling { get; init; } = PoolingKind.None;

    /// <summary>L2-normalize each embedding.</summary>
    public bool Normalize { get; init; } = true;

    /// <summary>Text: WordPiece vocabulary file (one token a line).</summary>
    public string? Vocabulary { get; init; }

    /// <summary>Text: lowercase before tokenizing (uncased models).</summary>
    public bool Lowercase { get; init; } = true;

    /// <summary>Text: token budget including [CLS] and [SEP].</summary>
    public int MaxTokens { get; init; } = 128;

    /// <summary>Audio: the model's sample rate in Hz.</summary>
    public int SampleRate { get; init; } = 16000;

    /// <summary>Audio: samples fed to the model (clips are cut or zero-padded); 0 for the clip's own length.</summary>
    public int AudioSamples { get; init; }

    /// <summary>Video: frames sampled per second.</summary>
    public double FramesPerSecond { get; init; } = 1.0;

    /// <summary>Video: most frames per clip.</summary>
    public int MaxFrames { get; init; } = 16;

    /// <summary>Inputs per model run.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Execution provider.</summary>
    public ExecutionProviderKind Provider { get; init; } = ExecutionProviderKind.Auto;

    /// <summary>JSON options for config files (camelCase or snake_case keys, enums as strings).</summary>
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        PropertyNameCaseInsensitive = true,
        WriteIndented = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Reads a config file; relative model paths are taken from the file's folder.</summary>
    public static EncoderConfig Load(string path)
    {
        EncoderConfig config;
        try
        {
            config = JsonSerializer.Deserialize<EncoderConfig>(File.ReadAllText(path), JsonOptions)
                ?? throw new ExtractionException($"encoder config {path} is empty.");
        }
        catch (JsonException e)
        {
            throw new ExtractionException($"encoder config {path} is not valid: {e.Message}");
        }

        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return config with
        {
            Model = Path.GetFullPath(config.Model, dir),
            PreprocessModel = config.PreprocessModel is null ? null : Path.GetFullPath(config.PreprocessModel, dir),
            Vocabulary = config.Vocabulary is null ? null : Path.GetFullPath(config.Vocabulary, dir),
        };
    }

    /// <summary>A short text that changes whenever the output would (used by the completion markers).</summary>
    public string Fingerprint() => JsonSerializer.Serialize(this with { Provider = ExecutionProviderKind.Auto, BatchSize = 0 }, JsonOptions);
}
