using System.Numerics;
using System.Runtime.InteropServices;

namespace Scar.Core.IO;

/// <summary>Span kernels the .npy reader runs on each streamed chunk: float16 widening and the finiteness scan.</summary>
internal static class NpyKernels
{
    private const uint ExponentMask = 0x7F80_0000;

    /// <summary>
    /// Index of the first NaN or ±Inf in <paramref name="values"/>, or -1. A float is non-finite exactly when all
    /// exponent bits are set, so one AND and compare per lane tests a whole vector; the scalar tail (and the
    /// vector that matched) is then scanned element by element to find the exact index.
    /// </summary>
    public static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        ReadOnlySpan<uint> bits = MemoryMarshal.Cast<float, uint>(values);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var mask = new Vector<uint>(ExponentMask);
            int last = bits.Length - Vector<uint>.Count;
            for (; i <= last; i += Vector<uint>.Count)
            {
                if (Vector.EqualsAny(new Vector<uint>(bits.Slice(i)) & mask, mask))
                {
                    break;
                }
            }
        }

        for (; i < bits.Length; i++)
        {
            if ((bits[i] & ExponentMask) == ExponentMask)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Widens IEEE half-precision bit patterns to float32. <paramref name="destination"/> must be at least as long
    /// as <paramref name="source"/>. Exact for every finite value, ±0, ±Inf; NaNs stay NaN.
    /// </summary>
    /// <remarks>
    /// <c>(float)Half</c> is a scalar software conversion; embeddings are often stored as float16 to halve their
    /// size, so the bulk path uses the branch-free bit trick (rebias the exponent, fix up Inf/NaN, renormalise
    /// subnormals with one float subtraction) on whole vectors.
    /// </remarks>
    public static void HalfToSingle(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        if (destination.Length < source.Length)
        {
            throw new ArgumentException("Destination is shorter than source.", nameof(destination));
        }

        Span<uint> output = MemoryMarshal.Cast<float, uint>(destination);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int last = source.Length - Vector<ushort>.Count;
            for (; i <= last; i += Vector<ushort>.Count)
            {
                Vector.Widen(new Vector<ushort>(source.Slice(i)), out Vector<uint> low, out Vector<uint> high);
                WidenHalfBits(low).CopyTo(output.Slice(i));
                WidenHalfBits(high).CopyTo(output.Slice(i + Vector<uint>.Count));
            }
        }

        for (; i < source.Length; i++)
        {
            destination[i] = (float)BitConverter.UInt16BitsToHalf(source[i]);
        }
    }

    private static Vector<uint> WidenHalfBits(Vector<uint> half)
    {
        var shiftedExponent = new Vector<uint>(0x7C00u << 13);
        Vector<uint> magnitude = Vector.ShiftLeft(half & new Vector<uint>(0x7FFF), 13);
        Vector<uint> exponent = magnitude & shiftedExponent;

        // Rebias the exponent from 15 to 127.
        Vector<uint> result = magnitude + new Vector<uint>((127 - 15) << 23);

        // Inf/NaN: the rebias left the exponent at 143; push it to 255.
        Vector<uint> isInfOrNaN = Vector.Equals(exponent, shiftedExponent);
        result += isInfOrNaN & new Vector<uint>((128 - 16) << 23);

        // Zero/subnormal: treat the mantissa as if it had the smallest normal exponent, then subtract that
        // number's implicit leading one; the FPU renormalises the result exactly.
        Vector<uint> isSubnormal = Vector.Equals(exponent, Vector<uint>.Zero);
        var smallestNormal = new Vector<float>(BitConverter.UInt32BitsToSingle(113u << 23));
        Vector<uint> renormalised = Vector.AsVectorUInt32(
            Vector.AsVectorSingle(result + new Vector<uint>(1u << 23)) - smallestNormal);
        result = Vector.ConditionalSelect(isSubnormal, renormalised, result);

        return result | Vector.ShiftLeft(half & new Vector<uint>(0x8000), 16);
    }
}
