namespace Scar.Core.Numerics;

/// <summary>Training knobs of the linear probe (SCAR spec §2), defaulting to the reference's values.</summary>
public sealed record ProbeOptions
{
    /// <summary>Adam learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Adam first-moment decay.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Adam second-moment decay.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Adam denominator epsilon.</summary>
    public double AdamEpsilon { get; init; } = 1e-8;

    /// <summary>Maximum full-batch epochs.</summary>
    public int MaxEpochs { get; init; } = 100;

    /// <summary>Stop after this many consecutive epochs without a strictly better training accuracy.</summary>
    public int Patience { get; init; } = 5;

    /// <summary>Worker threads; 0 means one per processor. Results do not depend on it.</summary>
    public int Threads { get; init; }
}
