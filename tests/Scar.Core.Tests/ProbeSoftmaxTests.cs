using System.Runtime.Intrinsics;
using Scar.Core.Numerics;

namespace Scar.Core.Tests;

/// <summary>The class-major softmax (16 rows per vector) against the row-at-a-time loop it replaces: the same bits.</summary>
public sealed class ProbeSoftmaxTests
{
    [Theory]
    [InlineData(512, 10, 0)]
    [InlineData(37, 10, 1)]
    [InlineData(16, 3, 2)]
    [InlineData(1, 16, 3)]
    [InlineData(250, 16, 4)]
    [InlineData(33, 1, 5)]
    [InlineData(511, 7, 6)]
    public void Class_major_softmax_has_the_bits_of_the_row_loop(int count, int k, int seed)
    {
        if (!Vector512.IsHardwareAccelerated)
        {
            return; // the kernel keeps the row loop without AVX-512
        }

        var random = new Random(seed);
        float[] rowMajor = new float[ProbeGradientKernel.RoundUp(count * k)];
        for (int i = 0; i < count * k; i++)
        {
            // Values where exp overflows or underflows without the shift, repeated values (argmax ties) and -0.
            rowMajor[i] = random.Next(6) switch
            {
                0 => (float)(random.NextDouble() * 200 - 100),
                1 => 1.25f,
                2 => -0f,
                _ => (float)(random.NextDouble() * 8 - 4),
            };
        }

        int[] labels = Enumerable.Range(0, count).Select(_ => random.Next(k)).ToArray();
        AssertSameAsRowLoop(rowMajor, count, k, labels, invN: 1f / 3001);
    }

    [Fact]
    public void A_row_of_NaN_or_infinity_gives_what_the_row_loop_gives_and_the_tail_past_count_is_ignored()
    {
        if (!Vector512.IsHardwareAccelerated)
        {
            return;
        }

        const int count = 21, k = 10;
        var random = new Random(9);
        float[] rowMajor = new float[ProbeGradientKernel.RoundUp(count * k)];
        for (int i = 0; i < rowMajor.Length; i++)
        {
            rowMajor[i] = (float)(random.NextDouble() - 0.5);
        }

        rowMajor[3 * k + 4] = float.NaN;              // row 3: one NaN logit
        rowMajor[5 * k] = float.PositiveInfinity;     // row 5: +∞
        rowMajor[17 * k + 9] = float.NegativeInfinity; // row 17: −∞
        for (int c = 0; c < k; c++)
        {
            rowMajor[(8 * k) + c] = 2f; // row 8: all tied
        }

        int[] labels = Enumerable.Range(0, count).Select(i => i % k).ToArray();
        AssertSameAsRowLoop(rowMajor, count, k, labels, invN: 0.5f);
    }

    [Fact]
    public void A_buffer_too_small_for_the_classes_is_refused()
    {
        if (!Vector512.IsHardwareAccelerated)
        {
            return;
        }

        var error = Assert.Throws<ArgumentException>(() =>
            ProbeGradientKernel.SoftmaxGradientClassMajor(new float[10 * 32 - 1], 20, 32, 10, new int[20], 1f, new double[10]));
        Assert.Contains("stride 32", error.Message);
    }

    private static void AssertSameAsRowLoop(float[] rowMajor, int count, int k, int[] labels, float invN)
    {
        int stride = ProbeGradientKernel.RoundUp(count) + 16;
        float[] classMajor = new float[k * stride];
        Array.Fill(classMajor, float.NaN); // what lies past count must not reach the results
        for (int r = 0; r < count; r++)
        {
            for (int c = 0; c < k; c++)
            {
                classMajor[(c * stride) + r] = rowMajor[(r * k) + c];
            }
        }

        double[] gradBRow = new double[k], gradBClass = new double[k];
        var (lossRow, correctRow) = ProbeGradientKernel.SoftmaxGradient(rowMajor, count, k, labels, invN, new float[count], gradBRow);
        var (lossClass, correctClass) = ProbeGradientKernel.SoftmaxGradientClassMajor(classMajor, count, stride, k, labels, invN, gradBClass);

        Assert.Equal(correctRow, correctClass);
        Assert.Equal(BitConverter.DoubleToInt64Bits(lossRow), BitConverter.DoubleToInt64Bits(lossClass));
        Assert.Equal(gradBRow.Select(BitConverter.DoubleToInt64Bits), gradBClass.Select(BitConverter.DoubleToInt64Bits));
        for (int r = 0; r < count; r++)
        {
            for (int c = 0; c < k; c++)
            {
                float expected = rowMajor[(r * k) + c], actual = classMajor[(c * stride) + r];
                Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual) || (float.IsNaN(expected) && float.IsNaN(actual)),
                    $"gradient of row {r}, class {c}: row loop {expected:R}, class-major {actual:R}");
            }
        }
    }
}
