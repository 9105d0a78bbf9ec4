namespace Scar.Core.Numerics;

/// <summary>
/// A seeded xoshiro256** generator. Used instead of <see cref="System.Random"/> so that a seed gives the same
/// stream on every .NET version and platform: reports are reproducible from their root seed.
/// </summary>
public sealed class DeterministicRandom
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Seeds the state from <paramref name="seed"/> with SplitMix64, as the xoshiro authors recommend.</summary>
    public DeterministicRandom(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    /// <summary>
    /// Derives a child seed from a parent seed and a path of labels (for example "probe", modality, ratio,
    /// repeat), so every stage's randomness follows from the job's root seed alone.
    /// </summary>
    public static ulong Derive(ulong parent, params ReadOnlySpan<long> path)
    {
        ulong h = parent ^ 0x9E3779B97F4A7C15UL;
        foreach (long p in path)
        {
            ulong x = h ^ unchecked((ulong)p * 0xBF58476D1CE4E5B9UL);
            h = SplitMix64(ref x);
        }

        return h;
    }

    /// <summary>Derives a child seed from a parent seed and a string label (hashed with FNV-1a).</summary>
    public static ulong Derive(ulong parent, string label, params ReadOnlySpan<long> path)
    {
        ulong hash = 14695981039346656037UL;
        foreach (char c in label)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        ulong seeded = Derive(parent, unchecked((long)hash));
        return Derive(seeded, path);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>) without modulo bias.</summary>
    public int NextInt(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        ulong bound = (ulong)maxExclusive;
        ulong threshold = (0UL - bound) % bound;
        while (true)
        {
            ulong r = NextUInt64();
            if (r >= threshold)
            {
                return (int)(r % bound);
            }
        }
    }

    /// <summary>A standard normal deviate (Box–Muller; one of the pair is used).</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble();
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Shuffles <paramref name="values"/> in place (Fisher–Yates).</summary>
    public void Shuffle<T>(Span<T> values)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));

    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
