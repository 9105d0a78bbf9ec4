using Scar.Core.Numerics;

namespace Scar.Core.Pipeline;

/// <summary>The probe trainings of one FDS estimate: ratio r repeated r times (83 with the paper's ratios).</summary>
public static class ProbePlan
{
    /// <summary>Names of the two sets an FDS is estimated on.</summary>
    public const string TotalSet = "total", PrimarySet = "primary";

    /// <summary>The work items of the estimate of <paramref name="set"/> for modality <paramref name="modality"/>.</summary>
    public static IReadOnlyList<ProbeWork> ForEstimate(PreparedJob job, PreparedModality modality, string set, CharacterizeOptions options)
    {
        string pool = set switch
        {
            TotalSet => job.TrainPath,
            PrimarySet => modality.PrimaryPath,
            _ => throw new ArgumentOutOfRangeException(nameof(set), set, "unknown set"),
        };
        var work = new List<ProbeWork>();
        foreach (int ratio in options.Ratios)
        {
            for (int repeat = 0; repeat < ratio; repeat++)
            {
                ulong seed = DeterministicRandom.Derive(options.Seed, set, modality.Index, ratio, repeat);
                work.Add(new ProbeWork($"{modality.Name}/{set}/r{ratio}/{repeat}", modality.EmbeddingsPath, modality.LabelsPath, pool,
                    job.TestPath, job.Classes, ratio, repeat, seed));
            }
        }

        return work;
    }
}
