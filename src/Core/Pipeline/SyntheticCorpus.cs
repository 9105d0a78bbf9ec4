using Scar.Core.Numerics;

namespace Scar.Core.Pipeline;

/// <summary>Settings of a synthetic paired corpus with known structure.</summary>
public sealed record SyntheticCorpusOptions
{
    /// <summary>Number of pairs.</summary>
    public int Items { get; init; } = 6000;

    /// <summary>Latent concepts both modalities share (the true classes).</summary>
    public int Concepts { get; init; } = 6;

    /// <summary>Width of the shared latent space.</summary>
    public int LatentDim { get; init; } = 16;

    /// <summary>Embedding width of the first modality ("image").</summary>
    public int DimA { get; init; } = 128;

    /// <summary>Embedding width of the second modality ("text").</summary>
    public int DimB { get; init; } = 96;

    /// <summary>Standard deviation of a pair's own latent offset from its concept centre (within-concept diversity).</summary>
    public double Spread { get; init; } = 0.6;

    /// <summary>Standard deviation of each modality's own per-dimension noise.</summary>
    public double Noise { get; init; } = 0.35;

    /// <summary>Share of pairs whose second modality shows a different concept (mismatched captions).</summary>
    public double Mismatch { get; init; } = 0.1;

    /// <summary>Seed of everything above.</summary>
    public ulong Seed { get; init; } = 7;
}

/// <summary>A generated corpus: two paired embedding matrices and the true concept of each pair.</summary>
public sealed record SyntheticCorpus(FloatMatrix A, FloatMatrix B, int[] Concepts, bool[] Mismatched);

/// <summary>
/// Makes a paired corpus whose structure is known: concepts are points in a latent space, each pair a noisy
/// point near its concept, each modality a fixed random linear view of that point plus its own noise,
/// L2-normalized like encoder outputs; a share of pairs gets the other modality from another concept.
/// </summary>
public static class SyntheticCorpusGenerator
{
    /// <summary>Generates the corpus.</summary>
    public static SyntheticCorpus Generate(SyntheticCorpusOptions o)
    {
        if (o.Items < 2 * o.Concepts || o.Concepts < 2)
        {
            throw new ScarInputException("--n", $"{o.Items} pairs are too few for {o.Concepts} concepts; use at least {2 * o.Concepts}.");
        }

        if (o.DimA < 1 || o.DimB < 1 || o.LatentDim < 1)
        {
            throw new ScarInputException("--image-dim/--text-dim", $"embedding widths must be at least 1 (got {o.DimA} and {o.DimB}).");
        }

        if (!(o.Mismatch >= 0 && o.Mismatch < 1))
        {
            throw new ScarInputException("--mismatch", $"{o.Mismatch} is outside [0, 1); use a share such as 0.1.");
        }

        var random = new DeterministicRandom(o.Seed);
        var centres = Gaussian(random, o.Concepts, o.LatentDim, 1.5);
        var viewA = Gaussian(random, o.LatentDim, o.DimA, 1.0 / Math.Sqrt(o.LatentDim));
        var viewB = Gaussian(random, o.LatentDim, o.DimB, 1.0 / Math.Sqrt(o.LatentDim));
        var a = new FloatMatrix(o.Items, o.DimA);
        var b = new FloatMatrix(o.Items, o.DimB);
        var concepts = new int[o.Items];
        var mismatched = new bool[o.Items];
        var latent = new double[o.LatentDim];
        var latentB = new double[o.LatentDim];
        for (int i = 0; i < o.Items; i++)
        {
            int c = i % o.Concepts; // balanced classes, interleaved so any row range is representative
            concepts[i] = c;
            for (int j = 0; j < o.LatentDim; j++)
            {
                latent[j] = centres[c * o.LatentDim + j] + o.Spread * random.NextGaussian();
            }

            int cb = c;
            if (random.NextDouble() < o.Mismatch)
            {
                cb = (c + 1 + random.NextInt(o.Concepts - 1)) % o.Concepts;
                mismatched[i] = true;
            }

            for (int j = 0; j < o.LatentDim; j++)
            {
                latentB[j] = cb == c ? latent[j] : centres[cb * o.LatentDim + j] + o.Spread * random.NextGaussian();
            }

            Project(latent, viewA, o.DimA, o.Noise, random, a.Row(i));
            Project(latentB, viewB, o.DimB, o.Noise, random, b.Row(i));
        }

        return new SyntheticCorpus(a, b, concepts, mismatched);
    }

    private static double[] Gaussian(DeterministicRandom random, int rows, int cols, double scale)
    {
        var m = new double[rows * cols];
        for (int i = 0; i < m.Length; i++)
        {
            m[i] = scale * random.NextGaussian();
        }

        return m;
    }

    private static void Project(double[] latent, double[] view, int dim, double noise, DeterministicRandom random, Span<float> destination)
    {
        double norm = 0;
        var values = new double[dim];
        for (int j = 0; j < dim; j++)
        {
            double v = noise * random.NextGaussian();
            for (int l = 0; l < latent.Length; l++)
            {
                v += latent[l] * view[l * dim + j];
            }

            values[j] = v;
            norm += v * v;
        }

        double inv = 1.0 / Math.Sqrt(norm);
        for (int j = 0; j < dim; j++)
        {
            destination[j] = (float)(values[j] * inv);
        }
    }
}
