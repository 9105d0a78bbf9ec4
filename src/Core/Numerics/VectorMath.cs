using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Scar.Core.Numerics;

/// <summary>Small span kernels the clustering and probe loops need (no allocation, Vector256 then scalar).</summary>
internal static class VectorMath
{
    /// <summary>Σ x², accumulated in float lanes then summed in double (deterministic for a given length).</summary>
    public static float SumOfSquares(ReadOnlySpan<float> x)
    {
        int i = 0;
        double total = 0;
        if (Vector256.IsHardwareAccelerated && x.Length >= 16)
        {
            Vector256<float> s0 = Vector256<float>.Zero, s1 = Vector256<float>.Zero;
            for (; i <= x.Length - 16; i += 16)
            {
                Vector256<float> v0 = Vector256.Create(x.Slice(i, 8));
                Vector256<float> v1 = Vector256.Create(x.Slice(i + 8, 8));
                s0 += v0 * v0;
                s1 += v1 * v1;
            }

            Vector256<float> s = s0 + s1;
            for (int j = 0; j < 8; j++)
            {
                total += s[j];
            }
        }

        for (; i < x.Length; i++)
        {
            total += (double)x[i] * x[i];
        }

        return (float)total;
    }

    /// <summary><paramref name="sum"/>[j] += <paramref name="x"/>[j], widening to double (same sums at any vector width).</summary>
    public static void AddWidened(ReadOnlySpan<float> x, Span<double> sum)
    {
        if (sum.Length < x.Length)
        {
            throw new ArgumentException($"sum holds {sum.Length} values, x {x.Length}.", nameof(sum));
        }

        int i = 0;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref double sr = ref MemoryMarshal.GetReference(sum);
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= x.Length - 16; i += 16)
            {
                (Vector512<double> lo, Vector512<double> hi) = Vector512.Widen(Vector512.LoadUnsafe(ref xr, (nuint)i));
                (Vector512.LoadUnsafe(ref sr, (nuint)i) + lo).StoreUnsafe(ref sr, (nuint)i);
                (Vector512.LoadUnsafe(ref sr, (nuint)(i + 8)) + hi).StoreUnsafe(ref sr, (nuint)(i + 8));
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= x.Length - 8; i += 8)
            {
                (Vector256<double> lo, Vector256<double> hi) = Vector256.Widen(Vector256.LoadUnsafe(ref xr, (nuint)i));
                (Vector256.LoadUnsafe(ref sr, (nuint)i) + lo).StoreUnsafe(ref sr, (nuint)i);
                (Vector256.LoadUnsafe(ref sr, (nuint)(i + 4)) + hi).StoreUnsafe(ref sr, (nuint)(i + 4));
            }
        }

        for (; i < x.Length; i++)
        {
            sum[i] += x[i];
        }
    }

    /// <summary>
    /// The index j of the smallest <paramref name="a"/>[j] + <paramref name="b"/>[j] (float sums; ties to the lowest
    /// index, exactly as a scalar scan with strict &lt;), and that smallest sum. Values must not be NaN.
    /// </summary>
    public static int ArgMinOfSum(ReadOnlySpan<float> a, ReadOnlySpan<float> b, out float min)
    {
        int n = a.Length;
        if (n == 0 || b.Length < n)
        {
            throw new ArgumentException($"a has {n} values and b {b.Length}; both need the same positive length.", nameof(a));
        }

        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        int i = 0;
        float best = float.PositiveInfinity;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            Vector256<float> m = Vector256.Create(float.PositiveInfinity);
            for (; i <= n - 8; i += 8)
            {
                m = Vector256.Min(m, Vector256.LoadUnsafe(ref ar, (nuint)i) + Vector256.LoadUnsafe(ref br, (nuint)i));
            }

            for (int l = 0; l < 8; l++)
            {
                best = Math.Min(best, m[l]);
            }
        }

        for (; i < n; i++)
        {
            best = Math.Min(best, a[i] + b[i]);
        }

        min = best;
        i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> target = Vector256.Create(best);
            for (; i <= n - 8; i += 8)
            {
                uint mask = Vector256.Equals(Vector256.LoadUnsafe(ref ar, (nuint)i) + Vector256.LoadUnsafe(ref br, (nuint)i), target).ExtractMostSignificantBits();
                if (mask != 0)
                {
                    return i + BitOperations.TrailingZeroCount(mask);
                }
            }
        }

        for (; i < n; i++)
        {
            if (a[i] + b[i] == best)
            {
                return i;
            }
        }

        return 0; // unreachable for NaN-free input
    }

    /// <summary><paramref name="sum"/>[j] += <paramref name="x"/>[j].</summary>
    public static void Add(ReadOnlySpan<double> x, Span<double> sum)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= x.Length - Vector<double>.Count; i += Vector<double>.Count)
            {
                (new Vector<double>(x.Slice(i)) + new Vector<double>(sum.Slice(i))).CopyTo(sum.Slice(i));
            }
        }

        for (; i < x.Length; i++)
        {
            sum[i] += x[i];
        }
    }
}
