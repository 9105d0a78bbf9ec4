using Scar.Core.Numerics;

namespace Scar.Core.Tests;

public sealed class VectorMathTests
{
    // The scalar scan the vector kernel replaces: strict < keeps the lowest index among equal sums.
    private static int ScalarArgMin(float[] a, float[] b, out float min)
    {
        int best = 0;
        min = a[0] + b[0];
        for (int j = 1; j < a.Length; j++)
        {
            float v = a[j] + b[j];
            if (v < min)
            {
                min = v;
                best = j;
            }
        }

        return best;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(10)]
    [InlineData(17)]
    [InlineData(100)]
    [InlineData(257)]
    public void ArgMinOfSum_matches_the_scalar_scan_including_ties(int n)
    {
        var random = new Random(n);
        for (int trial = 0; trial < 200; trial++)
        {
            // Few distinct values so ties are common, in the vector body and in the tail.
            float[] a = Enumerable.Range(0, n).Select(_ => (float)random.Next(-3, 4)).ToArray();
            float[] b = Enumerable.Range(0, n).Select(_ => trial % 2 == 0 ? 0f : (float)(random.NextDouble() - 0.5)).ToArray();
            int expected = ScalarArgMin(a, b, out float expectedMin);
            Assert.Equal(expected, VectorMath.ArgMinOfSum(a, b, out float min));
            Assert.Equal(expectedMin, min);
        }
    }

    [Fact]
    public void ArgMinOfSum_rejects_empty_or_short_inputs()
    {
        Assert.Throws<ArgumentException>(() => VectorMath.ArgMinOfSum([], [], out _));
        Assert.Throws<ArgumentException>(() => VectorMath.ArgMinOfSum([1f, 2f], [1f], out _));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(16)]
    [InlineData(37)]
    [InlineData(512)]
    public void AddWidened_adds_every_value_in_double(int n)
    {
        var random = new Random(n);
        float[] x = Enumerable.Range(0, n).Select(_ => (float)random.NextDouble()).ToArray();
        double[] sum = Enumerable.Range(0, n).Select(i => i * 0.25).ToArray();
        double[] expected = sum.Select((s, i) => s + x[i]).ToArray();
        VectorMath.AddWidened(x, sum);
        Assert.Equal(expected, sum);
    }
}
