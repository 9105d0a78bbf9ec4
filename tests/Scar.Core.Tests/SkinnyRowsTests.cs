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

        // Class-major C and G (the probe kernel's layout: class c's values for the block's rows at c·stride): same bits.
        int stride = ((count + 15) & ~15) + 16;
        float[] logitsByClass = new float[n * stride], gByClass = new float[n * stride];
        Array.Fill(logitsByClass, float.NaN);
        Array.Fill(gByClass, float.NaN); // past count: must not be read
        Gemm.SkinnyRowsForward(x, d, rows, w, n, logitsByClass, stride);
        for (int r = 0; r < count; r++)
        {
            for (int j = 0; j < n; j++)
            {
                Assert.Equal(expectedLogits[(r * n) + j], logitsByClass[(j * stride) + r]);
                gByClass[(j * stride) + r] = g[(r * n) + j];
            }
        }

        float[] gradByClass = new float[d * n];
        Gemm.SkinnyRowsBackward(x, d, rows, gByClass, n, gradByClass, stride);
        Assert.Equal(expectedGrad, gradByClass);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(37)]
    [InlineData(1100)] // three blocks, the last one short
    public void Probe_logits_and_accuracy_read_in_place_have_the_bits_of_a_gathered_block(int count)
    {
        const int d = 96, k = 7;
        var random = new Random(count);
        int total = count + 50;
        var x = new FloatMatrix(total, d, Enumerable.Range(0, total * d).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray());
        int[] rows = Enumerable.Range(0, total).OrderBy(_ => random.Next()).Take(count).ToArray();
        var model = new ProbeModel(d, k, Enumerable.Range(0, d * k).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray(),
            Enumerable.Range(0, k).Select(_ => (float)random.NextDouble()).ToArray());

        float[] expected = new float[count * k], actual = new float[count * k];
        float[] block = new float[ProbeModel.BlockRows * d];
        for (int start = 0; start < count; start += ProbeModel.BlockRows)
        {
            int n = Math.Min(ProbeModel.BlockRows, count - start);
            ProbeModel.Gather(x, rows.AsSpan(start, n), block);
            model.BlockLogits(block, n, expected.AsSpan(start * k, n * k));
        }

        model.Logits(x, rows, actual);
        Assert.Equal(expected, actual);

        int[] labels = Enumerable.Range(0, count).Select(i => ProbeModel.ArgMax(expected.AsSpan(i * k, k)) == 0 ? 0 : random.Next(k)).ToArray();
        double right = Enumerable.Range(0, count).Count(i => ProbeModel.ArgMax(expected.AsSpan(i * k, k)) == labels[i]);
        Assert.Equal(right / count, model.Accuracy(x, rows, labels));
    }

    [Theory]
    [InlineData(512, 10, 300)]
    [InlineData(100, 10, 77)]  // C rows: three 32-row tiles and a scalar tail of 4
    [InlineData(48, 7, 40)]    // a 32-row tile and a 16-row vector
    [InlineData(37, 16, 64)]   // two 10-column tiles; 5 scalar tail rows
    [InlineData(64, 3, 50)]    // the 5-column kernel
    [InlineData(70, 5, 33)]
    [InlineData(100, 3, 77)]   // 5 columns: a 64-row tile, two 16-row vectors, a scalar tail of 4
    public void Backward_elements_are_one_fma_chain_over_the_rows_in_order(int d, int n, int count)
    {
        if (!Gemm.SkinnyRowsAvailable(n, d))
        {
            return;
        }

        var random = new Random(d * n + count);
        float[] x = Enumerable.Range(0, count * d).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        float[] g = Enumerable.Range(0, count * n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        int[] rows = Enumerable.Range(0, count).Reverse().ToArray();
        float[] grad = new float[d * n];
        Gemm.SkinnyRowsBackward(x, d, rows, g, n, grad);

        // Vector lanes fuse each multiply-add; the last d % 16 elements (the kernels' scalar tail) do not.
        int vectorRows = d / 16 * 16;
        for (int i = 0; i < d; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float acc = 0f;
                for (int p = 0; p < count; p++)
                {
                    float xv = x[(rows[p] * d) + i], gv = g[(p * n) + j];
                    acc = i < vectorRows ? MathF.FusedMultiplyAdd(xv, gv, acc) : acc + (xv * gv);
                }

                Assert.True(BitConverter.SingleToInt32Bits(acc) == BitConverter.SingleToInt32Bits(grad[(i * n) + j]), $"C[{i}, {j}]: {grad[(i * n) + j]:R}, expected {acc:R}");
            }
        }
    }

    [Fact]
    public void A_class_stride_shorter_than_the_rows_is_refused()
    {
        if (!Gemm.SkinnyRowsAvailable(10, 64))
        {
            return;
        }

        float[] x = new float[64 * 64], w = new float[64 * 10];
        int[] rows = Enumerable.Range(0, 40).ToArray();
        Assert.Throws<ArgumentException>(() => Gemm.SkinnyRowsForward(x, 64, rows, w, 10, new float[10 * 48], 32));
        Assert.Throws<ArgumentException>(() => Gemm.SkinnyRowsBackward(x, 64, rows, new float[10 * 48], 10, new float[64 * 10], 32));
    }
}
