using Scar.Core.Numerics;

namespace Scar.Core.Tests;

public sealed class SkinnyRowsTests
{
    [Theory]
    [InlineData(512, 10, 512)]
    [InlineData(512, 10, 37)]
    [InlineData(100, 16, 250)]
    [InlineData(64, 3, 64)]
    public void Products_over_indexed_rows_have_the_bits_of_the_products_over_the_gathered_block(int d, int n, int count)
    {
        if (!Gemm.SkinnyRowsAvailable(n, d))
        {
            return; // no AVX-512 here: the probe kernel gathers its rows, as before
        }

        var random = new Random(d + n + count);
        int total = 3 * count;
        float[] x = Enumerable.Range(0, total * d).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        int[] rows = Enumerable.Range(0, total).OrderBy(_ => random.Next()).Take(count).ToArray();
        float[] w = Enumerable.Range(0, d * n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        float[] g = Enumerable.Range(0, count * n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();

        float[] block = new float[count * d];
        for (int r = 0; r < count; r++)
        {
            x.AsSpan(rows[r] * d, d).CopyTo(block.AsSpan(r * d, d));
        }

        float[] expectedLogits = new float[count * n], logits = new float[count * n];
        Gemm.Sgemm(false, false, count, n, d, 1f, block, d, w, n, 0f, expectedLogits, n);
        Gemm.SkinnyRowsForward(x, d, rows, w, n, logits);
        Assert.Equal(expectedLogits, logits);

        float[] expectedGrad = new float[d * n], grad = new float[d * n];
        Gemm.Sgemm(true, false, d, n, count, 1f, block, d, g, n, 0f, expectedGrad, n);
        Gemm.SkinnyRowsBackward(x, d, rows, g, n, grad);
        Assert.Equal(expectedGrad, grad);
    }
}
