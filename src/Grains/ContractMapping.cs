using Scar.Abstractions;
using Scar.Core.Numerics;
using Scar.Core.Pipeline;

namespace Scar.Grains;

/// <summary>Maps wire contracts (Abstractions) to Core's Orleans-free types and back.</summary>
public static class ContractMapping
{
    /// <summary>The Core options a job spec stands for.</summary>
    public static CharacterizeOptions ToOptions(this JobSpec spec)
    {
        var defaults = new CharacterizeOptions { Modalities = [] };
        return new CharacterizeOptions
        {
            Modalities = spec.Modalities.Select(m => new ModalityInput(m.Name, m.Path)).ToArray(),
            GroupsPath = spec.GroupsPath,
            LabelsPath = spec.LabelsPath,
            K = spec.K,
            Seed = spec.Seed,
            TestFraction = spec.TestFraction,
            Ratios = spec.Ratios ?? defaults.Ratios,
            PrimaryFraction = spec.PrimaryFraction ?? defaults.PrimaryFraction,
            ShardRows = spec.ShardRows ?? defaults.ShardRows,
            Repeats = spec.Repeats ?? defaults.Repeats,
            EpsilonAcc = spec.EpsilonAcc ?? defaults.EpsilonAcc,
            BootstrapResamples = spec.BootstrapResamples ?? defaults.BootstrapResamples,
            Probe = defaults.Probe with
            {
                MaxEpochs = spec.MaxEpochs ?? defaults.Probe.MaxEpochs,
                Patience = spec.Patience ?? defaults.Probe.Patience,
            },
        };
    }

    /// <summary>The wire form of a work item, with the probe settings it runs under.</summary>
    public static ProbeRequest ToRequest(this ProbeWork w, ProbeOptions o, string jobId, int shardRows) =>
        new(w.Id, w.EmbeddingsPath, w.LabelsPath, w.PoolPath, w.TestPath, w.Classes, w.Ratio, w.Repeat, w.Seed, o.MaxEpochs, o.Patience, o.LearningRate, jobId, shardRows);

    /// <summary>The Core work item of a request.</summary>
    public static ProbeWork ToWork(this ProbeRequest r) =>
        new(r.Id, r.EmbeddingsPath, r.LabelsPath, r.PoolPath, r.TestPath, r.Classes, r.Ratio, r.Repeat, r.Seed);

    /// <summary>The wire form of an outcome.</summary>
    public static ProbeResult ToResult(this ProbeOutcome o) =>
        new(o.Id, o.Ratio, o.Repeat, o.SubsetSize, o.Epochs, o.TrainAccuracy, o.TestAccuracy, o.Scale, o.Coverage, o.Authenticity, o.Richness, o.TaskTestAccuracy);

    /// <summary>The Core outcome of a result.</summary>
    public static ProbeOutcome ToOutcome(this ProbeResult r) =>
        new(r.Id, r.Ratio, r.Repeat, r.SubsetSize, r.Epochs, r.TrainAccuracy, r.TestAccuracy, r.Scale, r.Coverage, r.Authenticity, r.Richness, r.TaskTestAccuracy);
}
