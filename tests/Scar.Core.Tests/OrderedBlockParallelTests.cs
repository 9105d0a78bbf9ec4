using System.Collections.Concurrent;
using Scar.Core.Numerics;

namespace Scar.Core.Tests;

/// <summary>The ordered folds behind every parallel sum: each block folded once, in block order, with its own result.</summary>
public sealed class OrderedBlockParallelTests
{
    public static TheoryData<int, int, int> Shapes()
    {
        var data = new TheoryData<int, int, int>();
        foreach (int workers in new[] { 1, 2, 3, 4 })
        {
            foreach (int slots in new[] { 1, 2, 3, 6 })
            {
                foreach (int blocks in new[] { 1, 2, 7, 64 })
                {
                    data.Add(workers, slots, blocks);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Slots_fold_every_block_once_in_order_with_its_own_result(int workers, int slots, int blocks)
    {
        var slotValue = new int[Math.Max(slots, workers)];
        Array.Fill(slotValue, -1);
        var folded = new List<int>();
        var busy = new int[slotValue.Length];
        var random = new ConcurrentDictionary<int, int>();
        OrderedBlockParallel.RunSlots(blocks, workers, slots, (block, slot) =>
        {
            Assert.Equal(0, Interlocked.Exchange(ref busy[slot], 1)); // no two blocks in one slot at once
            Assert.Equal(-1, Volatile.Read(ref slotValue[slot]));     // the slot's previous block was folded
            Thread.SpinWait(((block * 7919) % 13) * 2000);            // uneven block times
            Volatile.Write(ref slotValue[slot], block);
            Volatile.Write(ref busy[slot], 0);
        }, (block, slot) =>
        {
            Assert.Equal(block, Volatile.Read(ref slotValue[slot]));
            folded.Add(block);
            Volatile.Write(ref slotValue[slot], -1);
        }, CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, blocks), folded);
    }

    [Fact]
    public void Sums_folded_through_slots_equal_the_serial_fold_bit_for_bit()
    {
        var random = new Random(3);
        double[] values = Enumerable.Range(0, 500).Select(_ => (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-8, 9))).ToArray();
        double serial = 0;
        foreach (double v in values)
        {
            serial += v;
        }

        var slot = new double[6];
        double sum = 0;
        OrderedBlockParallel.RunSlots(values.Length, 3, 6, (b, s) => slot[s] = values[b], (b, s) => sum += slot[s], CancellationToken.None);
        Assert.Equal(BitConverter.DoubleToInt64Bits(serial), BitConverter.DoubleToInt64Bits(sum));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_failing_block_surfaces_its_own_exception_and_nothing_waits_forever(bool inCompute)
    {
        var error = Assert.Throws<InvalidOperationException>(() => OrderedBlockParallel.RunSlots(40, 3, 6, (b, _) =>
        {
            if (inCompute && b == 17)
            {
                throw new InvalidOperationException("block 17");
            }
        }, (b, _) =>
        {
            if (!inCompute && b == 23)
            {
                throw new InvalidOperationException("block 23");
            }
        }, CancellationToken.None));
        Assert.Equal(inCompute ? "block 17" : "block 23", error.Message);
    }

    [Fact]
    public void Cancellation_stops_the_blocks()
    {
        using var cancel = new CancellationTokenSource();
        int computed = 0;
        Assert.ThrowsAny<OperationCanceledException>(() => OrderedBlockParallel.RunSlots(10_000, 2, 4, (b, _) =>
        {
            if (Interlocked.Increment(ref computed) == 50)
            {
                cancel.Cancel();
            }
        }, (_, _) => { }, cancel.Token));
        Assert.True(computed < 10_000);
    }
}
