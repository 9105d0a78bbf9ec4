using System.Diagnostics;
using System.Threading.Channels;
using Scar.Extraction.Encoders;

namespace Scar.Extraction;

/// <summary>
/// Runs an encoder over many inputs with decoding/preprocessing overlapping inference: a producer prepares chunks
/// in parallel into a bounded channel (a few chunks ahead) while the consumer runs the model in order.
/// </summary>
public static class EncodingPipeline
{
    /// <summary>Result of one pass: a row per input (zeros where it failed), the failure reason per input, and the seconds taken.</summary>
    public sealed record Result(float[] Rows, int Dimension, string?[] Errors, double Seconds);

    /// <summary>Encodes <paramref name="inputs"/>; inputs that fail to prepare get a reason instead of a row.</summary>
    public static async Task<Result> RunAsync(IEncoder encoder, IReadOnlyList<MediaInput> inputs, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        int d = encoder.Dimension;
        var rows = new float[(long)inputs.Count * d];
        var errors = new string?[inputs.Count];
        int chunk = Math.Max(encoder.BatchSize, 16);
        var channel = Channel.CreateBounded<(int Start, PreparedInput?[] Items)>(new BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true });
        int workers = Math.Max(1, Environment.ProcessorCount);

        var producer = Task.Run(async () =>
        {
            try
            {
                for (int start = 0; start < inputs.Count; start += chunk)
                {
                    int n = Math.Min(chunk, inputs.Count - start);
                    var items = new PreparedInput?[n];
                    int s = start;
                    Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = cancellationToken }, i =>
                    {
                        try
                        {
                            items[i] = encoder.Prepare(inputs[s + i]);
                        }
                        catch (BadRecordException e)
                        {
                            errors[s + i] = e.Message;
                        }
                    });
                    await channel.Writer.WriteAsync((start, items), cancellationToken);
                }

                channel.Writer.Complete();
            }
            catch (Exception e)
            {
                channel.Writer.Complete(e);
            }
        }, cancellationToken);

        await foreach (var (start, items) in channel.Reader.ReadAllAsync(cancellationToken))
        {
            var good = new List<PreparedInput>(items.Length);
            var at = new List<int>(items.Length);
            for (int i = 0; i < items.Length; i++)
            {
                if (items[i] is { } p)
                {
                    good.Add(p);
                    at.Add(start + i);
                }
            }

            for (int b = 0; b < good.Count; b += encoder.BatchSize)
            {
                int n = Math.Min(encoder.BatchSize, good.Count - b);
                var output = new float[n * d];
                encoder.Encode(good.GetRange(b, n), output);
                for (int i = 0; i < n; i++)
                {
                    output.AsSpan(i * d, d).CopyTo(rows.AsSpan(at[b + i] * d, d));
                }
            }
        }

        await producer;
        return new Result(rows, d, errors, clock.Elapsed.TotalSeconds);
    }
}
