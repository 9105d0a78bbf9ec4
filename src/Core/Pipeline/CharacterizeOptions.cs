using Scar.Core.Numerics;

namespace Scar.Core.Pipeline;

/// <summary>One modality's embeddings: a name (used in the report and in file names) and an .npy path.</summary>
/// <param name="Name">Modality name, such as "image" or "text".</param>
/// <param name="Path">Path of a 2-D float32 or float16 .npy file, one row per sample (or per caption, with groups).</param>
public sealed record ModalityInput(string Name, string Path);

/// <summary>
/// Everything the whole method takes (SCAR-SPEC §1–§7). Defaults are the paper's; each knob has one line.
/// </summary>
public sealed record CharacterizeOptions
{
    /// <summary>Exactly two paired modalities; each is supervised by the clusters of the other.</summary>
    public required IReadOnlyList<ModalityInput> Modalities { get; init; }

    /// <summary>Optional 1-D int .npy mapping each caption row to its item (several captions per item).</summary>
    public string? GroupsPath { get; init; }

    /// <summary>Optional 1-D int .npy of ground-truth labels per item; replaces the clusters for both modalities.</summary>
    public string? LabelsPath { get; init; }

    /// <summary>Number of pseudo-classes (k-means clusters). Required unless labels are given.</summary>
    public int? K { get; init; }

    /// <summary>Root seed: every split, subset, k-means and probe seed derives from it.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Share of items held out to measure test accuracy.</summary>
    public double TestFraction { get; init; } = 0.2;

    /// <summary>Down-sampling ratios of the learning curve (SCAR-SPEC §5); ratio r is repeated r times.</summary>
    public IReadOnlyList<int> Ratios { get; init; } = [1, 2, 5, 10, 15, 20, 30];

    /// <summary>Share of each class that forms the primary set in data completion (SCAR-SPEC §7).</summary>
    public double PrimaryFraction { get; init; } = 0.6;

    /// <summary>Confidence δ of the per-task bound.</summary>
    public double Delta { get; init; } = 0.01;

    /// <summary>Accuracy ε of the bound.</summary>
    public double Epsilon { get; init; } = 0.01;

    /// <summary>δ_E of the total (union) bound.</summary>
    public double DeltaE { get; init; } = 0.01;

    /// <summary>Bonferroni order M of the inclusion–exclusion.</summary>
    public int BonferroniOrder { get; init; } = 3;

    /// <summary>Largest number of k-means Lloyd iterations.</summary>
    public int KMeansIterations { get; init; } = 300;

    /// <summary>Rows per embedding shard. Results depend on it, never on how many workers hold the shards.</summary>
    public int ShardRows { get; init; } = Distributed.ShardPlan.DefaultShardRows;

    /// <summary>Probe training settings (SCAR-SPEC §2).</summary>
    public ProbeOptions Probe { get; init; } = new();

    /// <summary>Runs of the whole characterization with seeds derived from <see cref="Seed"/> (the paper uses 3).</summary>
    public int Repeats { get; init; } = 1;

    /// <summary>ε_acc of the learning-curve FDS (SCAR-SPEC §5b): the accuracy gap to the fitted asymptote.</summary>
    public double EpsilonAcc { get; init; } = 0.01;

    /// <summary>Bootstrap resamples of the learning-curve FDS interval (0 for none).</summary>
    public int BootstrapResamples { get; init; } = 200;

    /// <summary>Checks every option and names the one to fix.</summary>
    public void Validate()
    {
        if (Modalities.Count != 2)
        {
            throw new ScarInputException("--embeddings", $"give exactly two modalities as NAME=PATH.npy (found {Modalities.Count}); each is supervised by the other's clusters.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in Modalities)
        {
            if (string.IsNullOrWhiteSpace(m.Name) || m.Name.IndexOfAny(['/', '\\', ' ', '=']) >= 0)
            {
                throw new ScarInputException("--embeddings", $"modality name '{m.Name}' must be a non-empty word without '/', '\\', '=' or spaces, as in image=path.npy.");
            }

            if (!seen.Add(m.Name))
            {
                throw new ScarInputException("--embeddings", $"modality name '{m.Name}' is given twice; name each modality differently.");
            }
        }

        if (K is { } k && k < 2)
        {
            throw new ScarInputException("--k", $"k = {k}: at least 2 pseudo-classes are needed.");
        }

        if (K is null && LabelsPath is null)
        {
            throw new ScarInputException("--k", "give the number of pseudo-classes with --k (or ground-truth labels with --labels).");
        }

        if (!(TestFraction > 0 && TestFraction < 1))
        {
            throw new ScarInputException("--test-fraction", $"{TestFraction} is outside (0, 1); use a share such as 0.2.");
        }

        if (!(PrimaryFraction > 0 && PrimaryFraction < 1))
        {
            throw new ScarInputException("--primary-fraction", $"{PrimaryFraction} is outside (0, 1); the paper uses 0.6.");
        }

        if (Ratios.Count == 0 || Ratios[0] != 1 || Ratios.Any(r => r < 1) || Ratios.Distinct().Count() != Ratios.Count)
        {
            throw new ScarInputException("--ratios", "ratios must be distinct integers ≥ 1 starting with 1 (ρ needs the full set), such as 1,2,5,10,15,20,30.");
        }

        if (!(Delta > 0 && Delta < 1) || !(Epsilon > 0 && Epsilon < 1) || !(DeltaE > 0 && DeltaE < 1))
        {
            throw new ScarInputException("--delta/--epsilon", "δ, ε and δ_E must lie in (0, 1); the paper uses 0.01.");
        }

        if (BonferroniOrder < 1)
        {
            throw new ScarInputException("--bonferroni-order", "the Bonferroni order must be at least 1; the paper uses 3.");
        }

        if (ShardRows < 1)
        {
            throw new ScarInputException("--shard-rows", $"{ShardRows} rows per shard: use a positive number such as {Distributed.ShardPlan.DefaultShardRows}.");
        }

        if (Repeats < 1 || Repeats > 100)
        {
            throw new ScarInputException("--repeats", $"{Repeats} repeats: give 1 to 100 (the paper uses 3).");
        }

        if (!(EpsilonAcc > 0 && EpsilonAcc < 1))
        {
            throw new ScarInputException("--epsilon-acc", $"{EpsilonAcc} is outside (0, 1); use an accuracy gap such as 0.01.");
        }

        if (BootstrapResamples < 0 || BootstrapResamples > 100_000)
        {
            throw new ScarInputException("--bootstrap", $"{BootstrapResamples} resamples: give 0 to 100000 (default 200).");
        }

        if (Probe.MaxEpochs < 1 || Probe.Patience < 1 || !(Probe.LearningRate > 0))
        {
            throw new ScarInputException("--epochs", "probe epochs and patience must be at least 1 and the learning rate positive.");
        }
    }
}
