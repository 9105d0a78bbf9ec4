using System.Globalization;
using Scar.Core.Pipeline;

namespace Scar.Core.Report;

/// <summary>Mean and range (max − min) of one number over the repeats, as the paper's tables give them.</summary>
/// <param name="Mean">Mean over the repeats that have the number; null when none has it.</param>
/// <param name="Range">max − min over those repeats.</param>
/// <param name="Count">How many repeats have the number.</param>
public sealed record Spread(double? Mean, double? Range, int Count)
{
    /// <summary>The spread of the non-null values.</summary>
    public static Spread Of(IEnumerable<double?> values)
    {
        var present = values.Where(v => v is { } x && double.IsFinite(x)).Select(v => v!.Value).ToArray();
        return present.Length == 0 ? new Spread(null, null, 0) : new Spread(present.Average(), present.Max() - present.Min(), present.Length);
    }

    /// <summary>"mean ± range" with <paramref name="format"/>, times <paramref name="factor"/> (100 for percent); "n/a" when empty.</summary>
    public string Format(string format, double factor = 1) => Mean is { } m
        ? string.Create(CultureInfo.InvariantCulture, $"{(m * factor).ToString(format, CultureInfo.InvariantCulture)} ± {(Range!.Value * factor).ToString(format.Split(';')[0].TrimStart('+'), CultureInfo.InvariantCulture)}")
        : "n/a";
}

/// <summary>One modality's numbers over the repeats.</summary>
/// <param name="Name">Modality.</param>
/// <param name="FdsTotal">Reference FDS.</param>
/// <param name="FdsLearningCurve">Learning-curve FDS (repeats where it is "ok").</param>
/// <param name="TrainAccuracy">Full-set probe training accuracy.</param>
/// <param name="TestAccuracy">Full-set probe test accuracy.</param>
/// <param name="PrimaryAccuracy">Completion: primary set's test accuracy.</param>
/// <param name="ScarAccuracy">Completion: SCAR-extended set's test accuracy.</param>
/// <param name="RandomAccuracy">Completion: random baseline's test accuracy.</param>
/// <param name="ClasswiseAccuracy">Completion: class-wise baseline's test accuracy.</param>
/// <param name="ScarGain">SCAR − primary test accuracy.</param>
/// <param name="RandomGain">Random − primary.</param>
/// <param name="ClasswiseGain">Class-wise − primary.</param>
/// <param name="Added">Samples SCAR added.</param>
public sealed record ModalityRepeats(
    string Name,
    Spread FdsTotal,
    Spread FdsLearningCurve,
    Spread TrainAccuracy,
    Spread TestAccuracy,
    Spread PrimaryAccuracy,
    Spread ScarAccuracy,
    Spread RandomAccuracy,
    Spread ClasswiseAccuracy,
    Spread ScarGain,
    Spread RandomGain,
    Spread ClasswiseGain,
    Spread Added);

/// <summary>The <c>repeats</c> section of report.json: the whole characterization run R times with derived seeds.</summary>
/// <param name="Count">R.</param>
/// <param name="Seeds">Root seed of each repeat (DeterministicRandom.Derive(seed, "repeat", i)).</param>
/// <param name="Folders">Folder of each repeat's own report, relative to the top-level report.</param>
/// <param name="Modalities">Per-modality spreads.</param>
public sealed record RepeatsSummary(int Count, IReadOnlyList<ulong> Seeds, IReadOnlyList<string> Folders, IReadOnlyList<ModalityRepeats> Modalities)
{
    /// <summary>Summarizes the reports of the repeats (same modalities in the same order).</summary>
    public static RepeatsSummary From(IReadOnlyList<CharacterizationReport> reports, IReadOnlyList<string> folders)
    {
        var modalities = new List<ModalityRepeats>();
        for (int i = 0; i < reports[0].Modalities.Count; i++)
        {
            var ms = reports.Select(r => r.Modalities[i]).ToArray();
            var cs = ms.Select(m => m.Completion).ToArray();
            modalities.Add(new ModalityRepeats(
                ms[0].Name,
                Spread.Of(ms.Select(m => m.FdsTotal)),
                Spread.Of(ms.Select(m => m.FdsLearningCurve?.Value)),
                Spread.Of(ms.Select(m => (double?)m.TrainAccuracy)),
                Spread.Of(ms.Select(m => (double?)m.TestAccuracy)),
                Spread.Of(cs.Select(c => (double?)c.PrimaryAccuracy)),
                Spread.Of(cs.Select(c => (double?)c.ScarAccuracy)),
                Spread.Of(cs.Select(c => (double?)c.RandomAccuracy)),
                Spread.Of(cs.Select(c => (double?)c.ClasswiseAccuracy)),
                Spread.Of(cs.Select(c => (double?)(c.ScarAccuracy - c.PrimaryAccuracy))),
                Spread.Of(cs.Select(c => (double?)(c.RandomAccuracy - c.PrimaryAccuracy))),
                Spread.Of(cs.Select(c => (double?)(c.ClasswiseAccuracy - c.PrimaryAccuracy))),
                Spread.Of(cs.Select(c => (double?)c.Added))));
        }

        return new RepeatsSummary(reports.Count, reports.Select(r => r.Seed).ToArray(), folders, modalities);
    }
}
