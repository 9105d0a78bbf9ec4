using Scar.Core.IO;
using Scar.Core.Pipeline;

namespace Scar.Core.Tests;

/// <summary>A temporary folder with a small synthetic paired corpus written as .npy files.</summary>
internal sealed class PipelineTestData : IDisposable
{
    public PipelineTestData(int items = 600, int concepts = 3, double mismatch = 0.05, int dimA = 24, int dimB = 16, ulong seed = 11)
    {
        Folder = Path.Combine(Path.GetTempPath(), $"scar-test-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Folder);
        Corpus = SyntheticCorpusGenerator.Generate(new SyntheticCorpusOptions
        {
            Items = items,
            Concepts = concepts,
            Mismatch = mismatch,
            DimA = dimA,
            DimB = dimB,
            LatentDim = 8,
            Seed = seed,
        });
        ImagePath = Path.Combine(Folder, "image.npy");
        TextPath = Path.Combine(Folder, "text.npy");
        NpyFile.WriteMatrix(ImagePath, Corpus.A);
        NpyFile.WriteMatrix(TextPath, Corpus.B);
    }

    public string Folder { get; }

    public SyntheticCorpus Corpus { get; }

    public string ImagePath { get; }

    public string TextPath { get; }

    public string Path2(string name) => Path.Combine(Folder, name);

    /// <summary>Options for a quick run: fewer ratios and epochs than the paper, same code paths.</summary>
    public CharacterizeOptions Options(int k = 3, ulong seed = 5, IReadOnlyList<int>? ratios = null) => new()
    {
        Modalities = [new ModalityInput("image", ImagePath), new ModalityInput("text", TextPath)],
        K = k,
        Seed = seed,
        Ratios = ratios ?? [1, 2, 5],
        Probe = new() { MaxEpochs = 30 },
    };

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
