using System.Numerics;
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

    /// <summary><paramref name="sum"/>[j] += <paramref name="x"/>[j], widening to double.</summary>
    public static void AddWidened(ReadOnlySpan<float> x, Span<double> sum)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= x.Length - 8; i += 8)
            {
                (Vector256<double> lo, Vector256<double> hi) = Vector256.Widen(Vector256.Create(x.Slice(i, 8)));
                Span<double> s0 = sum.Slice(i, 4), s1 = sum.Slice(i + 4, 4);
                (Vector256.Create((ReadOnlySpan<double>)s0) + lo).CopyTo(s0);
                (Vector256.Create((ReadOnlySpan<double>)s1) + hi).CopyTo(s1);
            }
        }

        for (; i < x.Length; i++)
        {
            sum[i] += x[i];
        }
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
