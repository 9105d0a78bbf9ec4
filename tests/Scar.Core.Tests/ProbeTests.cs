using Scar.Core.Numerics;

namespace Scar.Core.Tests;

public sealed class ProbeTests
{
    [Fact]
    public void Matches_a_double_precision_reference_over_30_epochs()
    {
        (FloatMatrix x, int[] allLabels) = KMeansTests.Blobs(k: 4, perCluster: 300, dim: 12, spread: 6.0, seed: 8);

        // A subset in scrambled order, spanning several 512-row blocks.
        int[] rows = Enumerable.Range(0, x.Rows).Where(i => i % 3 != 1).Reverse().ToArray();
        int[] labels = rows.Select(i => allLabels[i]).ToArray();
        var options = new ProbeOptions { MaxEpochs = 30, Patience = 1000, LearningRate = 1e-2 };
        ProbeTrainingResult result = ProbeTrainer.Train(x, rows, labels, 4, options, seed: 77);
        (double[] w, double[] b, List<double> losses) = Reference(x, rows, labels, 4, options, 77);

        Assert.Equal(30, result.Epochs);
        double scale = w.Max(Math.Abs);
        for (int i = 0; i < w.Length; i++)
        {
            Assert.True(Math.Abs(result.Model.Weights[i] - w[i]) <= 1e-4 * scale, $"W[{i}]: {result.Model.Weights[i]} vs {w[i]}");
        }

        for (int i = 0; i < b.Length; i++)
        {
            Assert.True(Math.Abs(result.Model.Bias[i] - b[i]) <= 1e-4 * scale, $"b[{i}]: {result.Model.Bias[i]} vs {b[i]}");
        }

        for (int e = 0; e < losses.Count; e++)
        {
            Assert.Equal(losses[e], result.LossHistory[e], 1e-4 * losses[e]);
        }

        Assert.True(result.LossHistory[^1] < result.LossHistory[0] * 0.9, "loss decreases");
    }

    [Fact]
    public void Early_stop_after_patience_epochs_without_improvement()
    {
        // Two far-apart points per class and a large step: the forward pass is 100 % right within two epochs
        // and can never improve after that.
        var x = new FloatMatrix(4, 2, [10f, 0f, 11f, 0f, -10f, 0f, -11f, 0f]);
        int[] rows = [0, 1, 2, 3];
        int[] labels = [0, 0, 1, 1];
        ProbeTrainingResult result = ProbeTrainer.Train(x, rows, labels, 2, new ProbeOptions { Patience = 5, LearningRate = 1.0 }, seed: 1);
        int firstPerfect = result.AccuracyHistory.ToList().IndexOf(1.0);
        Assert.True(firstPerfect >= 0 && firstPerfect <= 2, $"first perfect epoch {firstPerfect}");
        Assert.Equal(firstPerfect + 1 + 5, result.Epochs);
        Assert.Equal(result.Epochs, result.AccuracyHistory.Count);
        Assert.Equal(1.0, result.TrainAccuracy);
    }

    [Fact]
    public void Weights_do_not_depend_on_thread_count()
    {
        (FloatMatrix x, int[] allLabels) = KMeansTests.Blobs(k: 5, perCluster: 500, dim: 33, spread: 8.0, seed: 12);
        int[] rows = Enumerable.Range(0, x.Rows).ToArray();
        var one = ProbeTrainer.Train(x, rows, allLabels, 5, new ProbeOptions { MaxEpochs = 15, Threads = 1 }, seed: 3);
        foreach (int threads in new[] { 2, 4 })
        {
            var many = ProbeTrainer.Train(x, rows, allLabels, 5, new ProbeOptions { MaxEpochs = 15, Threads = threads }, seed: 3);
            Assert.Equal(one.Model.Weights, many.Model.Weights);
            Assert.Equal(one.Model.Bias, many.Model.Bias);
            Assert.Equal(one.TrainLogits, many.TrainLogits);
            Assert.Equal(one.LossHistory, many.LossHistory);
        }
    }

    [Fact]
    public void Logits_accuracy_and_recorded_predictions_agree()
    {
        (FloatMatrix x, int[] allLabels) = KMeansTests.Blobs(k: 3, perCluster: 400, dim: 7, spread: 9.0, seed: 21);
        int[] rows = Enumerable.Range(0, x.Rows).Where(i => i % 2 == 0).ToArray();
        int[] labels = rows.Select(i => allLabels[i]).ToArray();
        ProbeTrainingResult result = ProbeTrainer.Train(x, rows, labels, 3, new ProbeOptions { MaxEpochs = 20 }, seed: 5);

        float[] logits = new float[rows.Length * 3];
        result.Model.Logits(x, rows, logits);
        Assert.Equal(result.TrainLogits, logits);
        double accuracy = result.Model.Accuracy(x, rows, labels);
        Assert.Equal(result.TrainAccuracy, accuracy);
        double fromPredictions = result.TrainPredictions.Zip(labels).Count(p => p.First == p.Second) / (double)rows.Length;
        Assert.Equal(fromPredictions, accuracy);

        // Logits are x·W + b.
        int r0 = rows[5];
        for (int c = 0; c < 3; c++)
        {
            double z = result.Model.Bias[c];
            for (int j = 0; j < 7; j++)
            {
                z += x.Row(r0)[j] * result.Model.Weights[(j * 3) + c];
            }

            Assert.Equal(z, logits[(5 * 3) + c], 1e-4);
        }
    }

    [Fact]
    public void Bad_labels_are_rejected()
    {
        var x = new FloatMatrix(2, 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => ProbeTrainer.Train(x, [0, 1], [0, 2], 2, new ProbeOptions(), 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ProbeTrainer.Train(x, [0, 5], [0, 1], 2, new ProbeOptions(), 1));
    }

    /// <summary>The probe written plainly in double: same draws, same loss, same Adam.</summary>
    private static (double[] W, double[] B, List<double> Losses) Reference(FloatMatrix x, int[] rows, int[] labels, int k, ProbeOptions o, ulong seed)
    {
        int d = x.Cols, n = rows.Length;
        var rng = new DeterministicRandom(seed);
        double bound = 1.0 / Math.Sqrt(d);
        double[] w = new double[d * k], b = new double[k];
        for (int c = 0; c < k; c++)
        {
            for (int j = 0; j < d; j++)
            {
                w[(j * k) + c] = (float)(((2 * rng.NextDouble()) - 1) * bound);
            }
        }

        for (int c = 0; c < k; c++)
        {
            b[c] = (float)(((2 * rng.NextDouble()) - 1) * bound);
        }

        double[] mw = new double[d * k], vw = new double[d * k], mb = new double[k], vb = new double[k];
        var losses = new List<double>();
        for (int step = 1; step <= o.MaxEpochs; step++)
        {
            double[] gw = new double[d * k], gb = new double[k];
            double loss = 0;
            for (int i = 0; i < n; i++)
            {
                Span<float> row = x.Row(rows[i]);
                double[] z = new double[k];
                for (int c = 0; c < k; c++)
                {
                    z[c] = b[c];
                    for (int j = 0; j < d; j++)
                    {
                        z[c] += row[j] * w[(j * k) + c];
                    }
                }

                double max = z.Max();
                double sum = z.Sum(v => Math.Exp(v - max));
                loss += Math.Log(sum) + max - z[labels[i]];
                for (int c = 0; c < k; c++)
                {
                    double g = ((Math.Exp(z[c] - max) / sum) - (c == labels[i] ? 1 : 0)) / n;
                    gb[c] += g;
                    for (int j = 0; j < d; j++)
                    {
                        gw[(j * k) + c] += row[j] * g;
                    }
                }
            }

            losses.Add(loss / n);
            Adam(w, gw, mw, vw, step, o);
            Adam(b, gb, mb, vb, step, o);
        }

        return (w, b, losses);
    }

    private static void Adam(double[] p, double[] g, double[] m, double[] v, int step, ProbeOptions o)
    {
        for (int i = 0; i < p.Length; i++)
        {
            m[i] = (o.Beta1 * m[i]) + ((1 - o.Beta1) * g[i]);
            v[i] = (o.Beta2 * v[i]) + ((1 - o.Beta2) * g[i] * g[i]);
            double mHat = m[i] / (1 - Math.Pow(o.Beta1, step));
            double vHat = v[i] / (1 - Math.Pow(o.Beta2, step));
            p[i] -= o.LearningRate * mHat / (Math.Sqrt(vHat) + o.AdamEpsilon);
        }
    }
}
