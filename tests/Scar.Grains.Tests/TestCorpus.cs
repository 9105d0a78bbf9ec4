using Scar.Abstractions;
using Scar.Core.IO;
using Scar.Core.Pipeline;

namespace Scar.Grains.Tests;

/// <summary>A temporary folder holding a small synthetic paired corpus.</summary>
internal sealed class TestCorpus : IDisposable
{
    public TestCorpus(int items = 400, int concepts = 3)
    {
        Folder = Path.Combine(Path.GetTempPath(), $"scar-grain-test-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Folder);
        var corpus = SyntheticCorpusGenerator.Generate(new SyntheticCorpusOptions { Items = items, Concepts = concepts, DimA = 20, DimB = 12, LatentDim = 6, Seed = 3 });
        ImagePath = Path.Combine(Folder, "image.npy");
        TextPath = Path.Combine(Folder, "text.npy");
        NpyFile.WriteMatrix(ImagePath, corpus.A);
        NpyFile.WriteMatrix(TextPath, corpus.B);
    }

    public string Folder { get; }

    public string ImagePath { get; }

    public string TextPath { get; }

    public JobSpec Spec(string outName, ulong seed = 9) => new()
    {
        Modalities = [new ModalitySpec("image", ImagePath), new ModalitySpec("text", TextPath)],
        K = 3,
        Seed = seed,
        OutDir = Path.Combine(Folder, outName),
        Ratios = [1, 2, 5],
        MaxEpochs = 20,
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
