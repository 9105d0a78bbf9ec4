namespace Scar.Core.Numerics;

/// <summary>
/// Runs a computation over fixed row blocks on several workers and folds each block's partial result into a
/// shared accumulator in strictly increasing block order. Because block boundaries are fixed and the fold order
/// is fixed, the result is bitwise identical for any thread count, while memory stays at one partial per worker
/// (not one per block).
/// </summary>
internal static class OrderedBlockParallel
{
    /// <summary>
    /// Computes every block with <paramref name="compute"/>(block, slot) on up to <paramref name="workers"/> threads,
    /// then calls <paramref name="commit"/>(block, slot) for block 0, 1, 2, … in order. Each block's scratch is slot
    /// block mod workers, which no two running blocks share, so callers index per-worker scratch by it and nothing is
    /// allocated per call. <see cref="RunSlots"/> with one slot per worker.
    /// </summary>
    public static void Run(int blockCount, int workers, Action<int, int> compute, Action<int, int> commit, CancellationToken cancellationToken) =>
        RunSlots(blockCount, workers, Math.Clamp(workers, 1, Math.Max(blockCount, 1)), compute, commit, cancellationToken);

    /// <summary>
    /// Folds blocks in order as <see cref="Run"/> does, but a computed block goes into one of <paramref name="slots"/>
    /// scratch slots (block b into slot b mod slots) instead of waiting for its turn: whichever worker finishes the
    /// lowest uncommitted block folds it and every later finished one, in order, while the others go on computing. A
    /// worker waits only when the slot its next block needs still holds an unfolded block (never sleeping: a probe block
    /// takes a fraction of a millisecond). <paramref name="compute"/>(block, slot) and <paramref name="commit"/>(block,
    /// slot) take the slot; the fold order, hence every sum, does not depend on workers or slots.
    /// </summary>
    public static void RunSlots(int blockCount, int workers, int slots, Action<int, int> compute, Action<int, int> commit, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (blockCount == 0)
        {
            return;
        }

        workers = Math.Clamp(workers, 1, blockCount);
        if (workers == 1 || slots <= 1)
        {
            for (int block = 0; block < blockCount; block++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                compute(block, 0);
                commit(block, 0);
            }

            return;
        }

        var state = new SlotState(slots);
        try
        {
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, _ => SlotWorker(blockCount, slots, compute, commit, state, cancellationToken));
        }
        catch (AggregateException error)
        {
            // Callers see the worker's own exception (an input error, a cancellation), not the wrapper.
            cancellationToken.ThrowIfCancellationRequested();
            Exception first = error.Flatten().InnerExceptions[0];
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    private static void SlotWorker(int blockCount, int slots, Action<int, int> compute, Action<int, int> commit, SlotState state, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                int block = Interlocked.Increment(ref state.Next) - 1;
                if (block >= blockCount || Volatile.Read(ref state.Failed))
                {
                    break;
                }

                cancellationToken.ThrowIfCancellationRequested();
                var spin = default(SpinWait);
                while (Volatile.Read(ref state.Committed) <= block - slots)
                {
                    // The slot still holds block − slots: help fold, or wait for the worker computing the lowest block.
                    if (Volatile.Read(ref state.Failed))
                    {
                        return;
                    }

                    TryFold(blockCount, slots, commit, state);
                    spin.SpinOnce(sleep1Threshold: -1);
                }

                compute(block, block % slots);
                Volatile.Write(ref state.Done[block % slots], block);
                TryFold(blockCount, slots, commit, state);
            }

            // No block left to take: fold what the others finish (each worker leaves once all are folded).
            var drain = default(SpinWait);
            while (Volatile.Read(ref state.Committed) < blockCount && !Volatile.Read(ref state.Failed))
            {
                TryFold(blockCount, slots, commit, state);
                drain.SpinOnce(sleep1Threshold: -1);
            }
        }
        catch
        {
            Volatile.Write(ref state.Failed, true);
            throw;
        }
    }

    // Folds the lowest uncommitted block and the finished ones after it, unless another worker is folding; checks again
    // after letting go, so that a block finished meanwhile is not left waiting.
    private static void TryFold(int blockCount, int slots, Action<int, int> commit, SlotState state)
    {
        while (true)
        {
            int next = Volatile.Read(ref state.Committed);
            if (next >= blockCount || Volatile.Read(ref state.Done[next % slots]) != next)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref state.Folding, 1, 0) != 0)
            {
                return; // the folding worker checks again when it lets go
            }

            try
            {
                while (true)
                {
                    next = state.Committed;
                    if (next >= blockCount || Volatile.Read(ref state.Done[next % slots]) != next)
                    {
                        break;
                    }

                    commit(next, next % slots);
                    Volatile.Write(ref state.Committed, next + 1);
                }
            }
            finally
            {
                Volatile.Write(ref state.Folding, 0);
            }
        }
    }

    /// <summary>Resolves a thread-count option: 0 means one per processor.</summary>
    public static int ResolveThreads(int threads) => threads > 0 ? threads : Environment.ProcessorCount;

    private sealed class SlotState
    {
        public readonly int[] Done; // the last block computed into each slot (−1 before any); folded once Committed passes it
        public int Next;
        public int Committed;
        public int Folding;
        public bool Failed;

        public SlotState(int slots)
        {
            Done = new int[slots];
            Array.Fill(Done, -1);
        }
    }
}
