using Scar.Core.Measures;
using Scar.Core.Numerics;

namespace Scar.Core.Pipeline;

/// <summary>Runs one <see cref="ProbeWork"/>: draw the subset, train the probe, measure it (SCAR-SPEC §2–§5).</summary>
public static class ProbeRunner
{
    /// <summary>Trains and measures one probe. Pure: the outcome depends only on the work item and the files.</summary>
    public static ProbeOutcome Run(ProbeWork work, DataCache data, ProbeOptions options, CancellationToken cancellationToken = default)
    {
        FloatMatrix x = data.Matrix(work.EmbeddingsPath);
        int[] labels = data.Ints(work.LabelsPath);
        int[] pool = data.Ints(work.PoolPath);
        int[] test = data.Ints(work.TestPath);
        int k = work.Classes;

        var random = new DeterministicRandom(DeterministicRandom.Derive(work.Seed, "subset"));
        int[] rows = StratifiedSampler.Sample(pool, labels, k, work.Ratio, random);
        if (rows.Length == 0)
        {
            throw new InvalidOperationException($"probe {work.Id}: the subset at ratio {work.Ratio} is empty (every class has fewer than {work.Ratio} rows); use smaller ratios or more data.");
        }

        int[] rowLabels = Gather(labels, rows);
        var trained = ProbeTrainer.Train(x, rows, rowLabels, k, options, DeterministicRandom.Derive(work.Seed, "init"), cancellationToken);
        SubsetMeasures measures = ScarMeasures.Compute(trained.TrainLogits, rows.Length, k, rowLabels, work.Ratio);

        int[] testLabels = Gather(labels, test);
        var testLogits = new float[(long)test.Length * k];
        trained.Model.Logits(x, test, testLogits);
        (double testAccuracy, double[] taskTestAccuracy) = TestAccuracies(testLogits, testLabels, k);

        var scale = new double[k];
        var coverage = new double[k];
        var authenticity = new double[k];
        var richness = new double[k];
        for (int c = 0; c < k; c++)
        {
            TaskMeasures t = measures.Tasks[c];
            scale[c] = t.Scale;
            coverage[c] = t.Coverage;
            authenticity[c] = t.Authenticity;
            richness[c] = t.Richness;
        }

        return new ProbeOutcome(work.Id, work.Ratio, work.Repeat, rows.Length, trained.Epochs, measures.TrainAccuracy,
            testAccuracy, scale, coverage, authenticity, richness, taskTestAccuracy);
    }

    /// <summary>Multi-class and per-task one-vs-rest accuracy of logits (n×k) against labels.</summary>
    public static (double Accuracy, double[] TaskAccuracy) TestAccuracies(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int k)
    {
        int n = labels.Length;
        var taskCorrect = new long[k];
        long correct = 0;
        for (int i = 0; i < n; i++)
        {
            var row = logits.Slice(i * k, k);
            int argmax = 0;
            for (int c = 1; c < k; c++)
            {
                if (row[c] > row[argmax])
                {
                    argmax = c;
                }
            }

            if (argmax == labels[i])
            {
                correct++;
            }

            for (int c = 0; c < k; c++)
            {
                if ((argmax == c) == (labels[i] == c))
                {
                    taskCorrect[c]++;
                }
            }
        }

        var task = new double[k];
        for (int c = 0; c < k; c++)
        {
            task[c] = n == 0 ? double.NaN : (double)taskCorrect[c] / n;
        }

        return (n == 0 ? double.NaN : (double)correct / n, task);
    }

    private static int[] Gather(int[] values, int[] rows)
    {
        var result = new int[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            result[i] = values[rows[i]];
        }

        return result;
    }
}
