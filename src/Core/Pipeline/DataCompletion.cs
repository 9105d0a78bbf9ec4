using Scar.Core.IO;
using Scar.Core.Numerics;

namespace Scar.Core.Pipeline;

/// <summary>The extended sets of SCAR-guided data completion (SCAR-SPEC §7) and the probes that test them.</summary>
/// <param name="Modality">Modality name.</param>
/// <param name="Budget">B of §7.4.</param>
/// <param name="Deficit">deficit_c per class.</param>
/// <param name="AddedPerClass">⌊B·w_c⌋ per class: what SCAR adds.</param>
/// <param name="Added">M, the total SCAR adds; the baselines add as many.</param>
/// <param name="RandomAdded">Rows the random baseline added.</param>
/// <param name="ClasswiseAdded">Rows the class-wise baseline added (⌊M/k⌋ per class, capped by each class's reserve).</param>
/// <param name="PrimarySize">|primary|.</param>
/// <param name="ReserveSize">|reserve|.</param>
/// <param name="Work">Four full-set probes: primary, SCAR, random, class-wise, in that order.</param>
public sealed record CompletionPlan(
    string Modality,
    double Budget,
    double[] Deficit,
    int[] AddedPerClass,
    int Added,
    int RandomAdded,
    int ClasswiseAdded,
    int PrimarySize,
    int ReserveSize,
    IReadOnlyList<ProbeWork> Work);

/// <summary>Plans SCAR-guided completion from the primary set's per-task FDS (SCAR-SPEC §7).</summary>
public static class DataCompletion
{
    /// <summary>The arms of the comparison, in the order of <see cref="CompletionPlan.Work"/>.</summary>
    public static readonly string[] Arms = ["primary", "scar", "random", "classwise"];

    /// <summary>Computes deficits, budget and the three extended sets; writes them as row files.</summary>
    public static CompletionPlan Plan(PreparedJob job, PreparedModality modality, FdsEstimate primaryEstimate, CharacterizeOptions options, string workDir)
    {
        int k = job.Classes;
        int[] labels = NpyFile.ReadIntVector(modality.LabelsPath);
        int[] primary = NpyFile.ReadIntVector(modality.PrimaryPath);
        int[] reserve = NpyFile.ReadIntVector(modality.ReservePath);
        var reserveByClass = StratifiedSampler.GroupByClass(reserve, labels, k);

        var deficit = new double[k];
        double deficitSum = 0;
        for (int c = 0; c < k; c++)
        {
            double? fds = primaryEstimate.Tasks[c].Fds;
            deficit[c] = fds is { } f ? Math.Max(0, f - modality.PrimaryClassCounts[c]) : 0;
            deficitSum += deficit[c];
        }

        var addedPerClass = new int[k];
        double budget = 0;
        if (deficitSum > 0)
        {
            budget = reserve.Length;
            for (int c = 0; c < k; c++)
            {
                double w = deficit[c] / deficitSum;
                if (w > 0)
                {
                    budget = Math.Min(budget, Math.Min(reserveByClass[c].Count, deficit[c]) / w);
                }
            }

            for (int c = 0; c < k; c++)
            {
                addedPerClass[c] = Math.Min(reserveByClass[c].Count, (int)Math.Floor(budget * deficit[c] / deficitSum));
            }
        }

        int added = addedPerClass.Sum();
        var random = new DeterministicRandom(DeterministicRandom.Derive(options.Seed, "completion", modality.Index));

        var scar = new List<int>(primary);
        for (int c = 0; c < k; c++)
        {
            scar.AddRange(Draw(reserveByClass[c], addedPerClass[c], random));
        }

        var randomArm = new List<int>(primary);
        randomArm.AddRange(Draw(new List<int>(reserve), added, random));

        var classwise = new List<int>(primary);
        int perClass = added / k;
        int classwiseAdded = 0;
        for (int c = 0; c < k; c++)
        {
            var drawn = Draw(reserveByClass[c], Math.Min(perClass, reserveByClass[c].Count), random);
            classwise.AddRange(drawn);
            classwiseAdded += drawn.Count;
        }

        string[] paths = new string[Arms.Length];
        var sets = new[] { new List<int>(primary), scar, randomArm, classwise };
        var work = new List<ProbeWork>(Arms.Length);
        for (int arm = 0; arm < Arms.Length; arm++)
        {
            sets[arm].Sort();
            paths[arm] = Path.Combine(Path.GetFullPath(workDir), $"{modality.Name}.completion.{Arms[arm]}.npy");
            NpyFile.WriteIntVector(paths[arm], sets[arm].ToArray());
            ulong seed = ProbeSeed(options, modality.Index);
            work.Add(new ProbeWork($"{modality.Name}/completion/{Arms[arm]}", modality.EmbeddingsPath, modality.LabelsPath, paths[arm],
                job.TestPath, k, 1, 0, seed));
        }

        return new CompletionPlan(modality.Name, budget, deficit, addedPerClass, added, randomArm.Count - primary.Length, classwiseAdded,
            primary.Length, reserve.Length, work);
    }

    /// <summary>The seed of every completion probe of a modality: the same for each arm, so only the rows differ between them.</summary>
    internal static ulong ProbeSeed(CharacterizeOptions options, int modalityIndex) =>
        DeterministicRandom.Derive(options.Seed, "completion-probe", modalityIndex);

    // A uniform draw of `count` rows without replacement, leaving the source list untouched.
    private static List<int> Draw(List<int> source, int count, DeterministicRandom random)
    {
        var copy = source.ToArray();
        var result = new List<int>(count);
        for (int i = 0; i < count; i++)
        {
            int j = i + random.NextInt(copy.Length - i);
            (copy[i], copy[j]) = (copy[j], copy[i]);
            result.Add(copy[i]);
        }

        return result;
    }
}
