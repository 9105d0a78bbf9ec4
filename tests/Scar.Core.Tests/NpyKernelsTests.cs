using Scar.Core.IO;

namespace Scar.Core.Tests;

public sealed class NpyKernelsTests
{
    [Fact]
    public void HalfToSingle_matches_the_scalar_conversion_for_all_65536_bit_patterns()
    {
        ushort[] source = new ushort[65536];
        for (int i = 0; i < source.Length; i++)
        {
            source[i] = (ushort)i;
        }

        float[] converted = new float[source.Length];
        NpyKernels.HalfToSingle(source, converted);

        for (int i = 0; i < source.Length; i++)
        {
            float expected = (float)BitConverter.UInt16BitsToHalf(source[i]);
            if (float.IsNaN(expected))
            {
                Assert.True(float.IsNaN(converted[i]), $"0x{i:X4} should be NaN");
            }
            else
            {
                Assert.True(
                    BitConverter.SingleToUInt32Bits(expected) == BitConverter.SingleToUInt32Bits(converted[i]),
                    $"0x{i:X4}: expected {expected}, got {converted[i]}");
            }
        }
    }

    [Fact]
    public void HalfToSingle_handles_lengths_that_are_not_a_vector_multiple()
    {
        for (int length = 0; length < 40; length++)
        {
            ushort[] source = new ushort[length];
            float[] expected = new float[length];
            for (int i = 0; i < length; i++)
            {
                var half = (Half)(i - 20.5f);
                source[i] = BitConverter.HalfToUInt16Bits(half);
                expected[i] = (float)half;
            }

            float[] converted = new float[length];
            NpyKernels.HalfToSingle(source, converted);
            Assert.Equal(expected, converted);
        }
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void IndexOfNonFinite_finds_the_first_bad_value_at_any_position(float bad)
    {
        for (int length = 1; length < 70; length++)
        {
            float[] values = NpyBytes.Sequence(length, -3.5f);
            Assert.Equal(-1, NpyKernels.IndexOfNonFinite(values));
            for (int at = 0; at < length; at++)
            {
                float[] copy = (float[])values.Clone();
                copy[at] = bad;
                if (at + 1 < length)
                {
                    copy[length - 1] = float.NaN; // a later bad value must not win
                }

                Assert.Equal(at, NpyKernels.IndexOfNonFinite(copy));
            }
        }
    }

    [Fact]
    public void IndexOfNonFinite_accepts_extremes_that_are_finite()
    {
        float[] values = [float.MaxValue, float.MinValue, float.Epsilon, -0f, 0f, 1e-40f, 3e38f, -3e38f, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        Assert.Equal(-1, NpyKernels.IndexOfNonFinite(values));
    }
}
