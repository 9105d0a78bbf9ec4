namespace Scar.Core.Measures;

/// <summary>The dataset-level SCAR of SCAR-SPEC §6 (the paper's table and bubble chart).</summary>
/// <param name="Scale">S = min(1, N / FDS).</param>
/// <param name="Coverage">C = (|extended set| − 0.6 N) / (0.4 N), or null when no completion was run.</param>
/// <param name="Authenticity">A = test accuracy of the probe trained on the full set.</param>
/// <param name="Richness">R = min(1, FDS / N).</param>
public sealed record DatasetScarValues(double Scale, double? Coverage, double Authenticity, double Richness);

/// <summary>Computes <see cref="DatasetScarValues"/> (SCAR-SPEC §6).</summary>
public static class DatasetScar
{
    /// <summary>Share of each class kept as the primary set by the completion split (SCAR-SPEC §7).</summary>
    public const double PrimaryShare = 0.6;

    /// <summary>
    /// S = min(1, N/FDS), R = min(1, FDS/N), A = full-set test accuracy, C = (|extended| − 0.6N)/(0.4N).
    /// </summary>
    /// <param name="fullSize">N, the full training-set size (&gt; 0).</param>
    /// <param name="totalFds">The total FDS of the full set (&gt; 0).</param>
    /// <param name="testAccuracy">Test accuracy of the probe trained on the full set, in [0, 1].</param>
    /// <param name="extendedSetSize">|extended set| after the SCAR completion, or null when none was run.</param>
    public static DatasetScarValues Compute(long fullSize, double totalFds, double testAccuracy, long? extendedSetSize = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fullSize, 1);
        if (!(totalFds > 0) || double.IsInfinity(totalFds))
        {
            throw new ArgumentOutOfRangeException(nameof(totalFds), totalFds, "FDS must be finite and > 0.");
        }

        if (!(testAccuracy >= 0 && testAccuracy <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(testAccuracy), testAccuracy, "test accuracy must be in [0, 1].");
        }

        double n = fullSize;
        double? coverage = extendedSetSize is long extended
            ? (extended - (PrimaryShare * n)) / ((1 - PrimaryShare) * n)
            : null;
        return new DatasetScarValues(Math.Min(1.0, n / totalFds), coverage, testAccuracy, Math.Min(1.0, totalFds / n));
    }
}
