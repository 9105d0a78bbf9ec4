using Scar.Core.Distributed;
using Scar.Core.IO;
using Scar.Core.Numerics;

namespace Scar.Core.Pipeline;

/// <summary>
/// The first stage of a job (SCAR-SPEC §1, §7.1): validate the inputs, make the pseudo-labels by cross-modal
/// k-means, split train/test and primary/reserve, and checkpoint all of it as .npy files in the work folder.
/// </summary>
public static class JobPreparation
{
    /// <summary>Runs the stage; every file it writes lives under <paramref name="workDir"/>.</summary>
    /// <param name="options">The job's options.</param>
    /// <param name="workDir">Folder for the checkpoints.</param>
    /// <param name="shards">Where k-means runs: the shards of each modality's embeddings.</param>
    /// <param name="cancellationToken">Stops the stage.</param>
    public static async Task<PreparedJob> PrepareAsync(CharacterizeOptions options, string workDir, IShardProvider shards, CancellationToken cancellationToken = default)
    {
        options.Validate();
        workDir = Path.GetFullPath(workDir);
        Directory.CreateDirectory(workDir);
        var a = options.Modalities[0];
        var b = options.Modalities[1];
        NpyHeader ha = RequireMatrixHeader(a.Path);
        NpyHeader hb = RequireMatrixHeader(b.Path);
        long rowsA = ha.Shape[0], rowsB = hb.Shape[0];

        int[]? groups = null;
        int captionSide = -1; // which modality holds several rows per item, with --groups
        int items;
        if (options.GroupsPath is null)
        {
            if (rowsA != rowsB)
            {
                throw new ScarInputException(b.Path,
                    $"unpaired rows: {a.Name} ({a.Path}) has {rowsA} rows and {b.Name} has {rowsB}; row i of one modality must pair with row i of the other. With several captions per item, pass --groups.");
            }

            items = checked((int)rowsA);
        }
        else
        {
            groups = NpyFile.ReadIntVector(options.GroupsPath);
            if (groups.Length == rowsA && groups.Length != rowsB)
            {
                captionSide = 0;
            }
            else if (groups.Length == rowsB && groups.Length != rowsA)
            {
                captionSide = 1;
            }
            else
            {
                throw new ScarInputException(options.GroupsPath,
                    $"has {groups.Length} group ids, but {a.Name} has {rowsA} rows and {b.Name} {rowsB}; the groups file needs one item id per caption row of exactly one modality (the one with several rows per item).");
            }

            items = checked((int)(captionSide == 0 ? rowsB : rowsA));
            ValidateGroups(options.GroupsPath, groups, items);
        }

        int[]? truth = null;
        int k;
        if (options.LabelsPath is not null)
        {
            truth = NpyFile.ReadIntVector(options.LabelsPath);
            if (truth.Length != items)
            {
                throw new ScarInputException(options.LabelsPath, $"has {truth.Length} labels for {items} items; give one label per item (pair).");
            }

            int max = -1;
            for (int i = 0; i < truth.Length; i++)
            {
                if (truth[i] < 0)
                {
                    throw new ScarInputException(options.LabelsPath, $"label {truth[i]} at row {i} is negative; labels must be class indices 0..k-1.");
                }

                max = Math.Max(max, truth[i]);
            }

            k = options.K ?? max + 1;
            if (max >= k)
            {
                throw new ScarInputException(options.LabelsPath, $"label {max} is out of range for --k {k}; labels must lie in 0..k-1 (or omit --k to use {max + 1}).");
            }

            if (k < 2)
            {
                throw new ScarInputException(options.LabelsPath, "all labels are 0; at least 2 classes are needed.");
            }
        }
        else
        {
            k = options.K!.Value;
        }

        if (items < 2 * k)
        {
            throw new ScarInputException("--k", $"k = {k} pseudo-classes need at least {2 * k} items (pairs) to train and test; the data has {items}. Lower --k or add data.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        int dimA = checked((int)ha.Shape[1]), dimB = checked((int)hb.Shape[1]);

        var clustering = new List<ClusteringSummary>();
        int[] labelsForA, labelsForB; // labelsForA supervises modality A's probe: clusters of B, and vice versa
        if (truth is not null)
        {
            labelsForA = truth;
            labelsForB = truth;
        }
        else
        {
            labelsForB = await ClusterItemsAsync(a.Name, shards.Open(a.Path, rowsA), dimA, captionSide == 0 ? groups : null, items, k, options, 0, clustering, cancellationToken);
            labelsForA = await ClusterItemsAsync(b.Name, shards.Open(b.Path, rowsB), dimB, captionSide == 1 ? groups : null, items, k, options, 1, clustering, cancellationToken);
        }

        // The probe of a caption modality sees one row per item: the mean of that item's captions.
        string pathA = a.Path, pathB = b.Path;
        if (captionSide == 0)
        {
            pathA = Path.Combine(workDir, $"{a.Name}.item-mean.npy");
            NpyFile.WriteMatrix(pathA, MeanByGroup(NpyFile.ReadMatrix(a.Path), groups!, items));
        }
        else if (captionSide == 1)
        {
            pathB = Path.Combine(workDir, $"{b.Name}.item-mean.npy");
            NpyFile.WriteMatrix(pathB, MeanByGroup(NpyFile.ReadMatrix(b.Path), groups!, items));
        }

        // One random train/test split of items, shared by both modalities.
        var splitRandom = new DeterministicRandom(DeterministicRandom.Derive(options.Seed, "split"));
        var order = new int[items];
        for (int i = 0; i < items; i++)
        {
            order[i] = i;
        }

        splitRandom.Shuffle(order.AsSpan());
        int testCount = Math.Clamp((int)Math.Round(items * options.TestFraction), 1, items - k);
        int[] test = order[..testCount];
        int[] train = order[testCount..];
        Array.Sort(test);
        Array.Sort(train);
        string trainPath = Path.Combine(workDir, "split.train.npy");
        string testPath = Path.Combine(workDir, "split.test.npy");
        NpyFile.WriteIntVector(trainPath, train);
        NpyFile.WriteIntVector(testPath, test);

        string supervisorA = truth is null ? $"clusters of {b.Name}" : "labels";
        string supervisorB = truth is null ? $"clusters of {a.Name}" : "labels";
        var modalities = new[]
        {
            PrepareModality(a.Name, 0, supervisorA, pathA, dimA, labelsForA, train, k, options, workDir),
            PrepareModality(b.Name, 1, supervisorB, pathB, dimB, labelsForB, train, k, options, workDir),
        };

        return new PreparedJob(items, k, trainPath, testPath, train.Length, test.Length, modalities, clustering);
    }

    /// <summary>The mode of each item's captions' cluster ids; ties go to the smallest id.</summary>
    public static int[] ModeByGroup(ReadOnlySpan<int> captionClusters, ReadOnlySpan<int> groups, int items, int k)
    {
        var counts = new int[items * k];
        for (int i = 0; i < groups.Length; i++)
        {
            counts[groups[i] * k + captionClusters[i]]++;
        }

        var mode = new int[items];
        for (int item = 0; item < items; item++)
        {
            var row = counts.AsSpan(item * k, k);
            int best = 0;
            for (int c = 1; c < k; c++)
            {
                if (row[c] > row[best])
                {
                    best = c;
                }
            }

            mode[item] = best;
        }

        return mode;
    }

    /// <summary>The mean of each item's caption rows (float64 accumulation).</summary>
    public static FloatMatrix MeanByGroup(FloatMatrix captions, ReadOnlySpan<int> groups, int items)
    {
        int d = captions.Cols;
        var sums = new double[(long)items * d];
        var counts = new int[items];
        for (int i = 0; i < groups.Length; i++)
        {
            int g = groups[i];
            counts[g]++;
            var row = captions.Row(i);
            var sum = sums.AsSpan(g * d, d);
            for (int j = 0; j < d; j++)
            {
                sum[j] += row[j];
            }
        }

        var mean = new FloatMatrix(items, d);
        for (int item = 0; item < items; item++)
        {
            var sum = sums.AsSpan(item * d, d);
            var dest = mean.Row(item);
            for (int j = 0; j < d; j++)
            {
                dest[j] = (float)(sum[j] / counts[item]);
            }
        }

        return mean;
    }

    private static NpyHeader RequireMatrixHeader(string path)
    {
        NpyHeader header = NpyFile.ReadHeader(path);
        if (header.Shape.Length != 2)
        {
            throw new ScarInputException(path, $"expected a 2-D embedding matrix (rows × dims), found shape ({string.Join(", ", header.Shape)}).");
        }

        return header;
    }

    private static void ValidateGroups(string path, int[] groups, int items)
    {
        var seen = new bool[items];
        for (int i = 0; i < groups.Length; i++)
        {
            int g = groups[i];
            if (g < 0 || g >= items)
            {
                throw new ScarInputException(path, $"group id {g} at row {i} is outside 0..{items - 1} (there are {items} items); each caption row needs the index of its item.");
            }

            seen[g] = true;
        }

        int missing = Array.IndexOf(seen, false);
        if (missing >= 0)
        {
            throw new ScarInputException(path, $"item {missing} has no caption row; every item needs at least one (drop captionless items from both files).");
        }
    }

    // Captions are clustered one by one; an item's label is then the mode of its captions' clusters.
    private static async Task<int[]> ClusterItemsAsync(string name, IReadOnlyList<IShardClient> shards, int dim, int[]? groups, int items, int k,
        CharacterizeOptions options, int index, List<ClusteringSummary> summaries, CancellationToken cancellationToken)
    {
        var kmeansOptions = new KMeansOptions
        {
            K = k,
            MaxIterations = options.KMeansIterations,
            Seed = DeterministicRandom.Derive(options.Seed, "kmeans", index),
        };
        DistributedKMeansResult result;
        int attempt = 0;
        while (true)
        {
            try
            {
                result = await DistributedKMeans.FitAsync(shards, dim, kmeansOptions, cancellationToken);
                break;
            }
            catch (Exception e) when ((e is ShardStateLostException || e.GetType().Name == nameof(ShardStateLostException) || e.Message.Contains("has no k-means run", StringComparison.Ordinal)) && ++attempt < 3)
            {
                // A shard restarted mid-run (its worker went away): k-means is deterministic, so run it again.
            }
        }

        var sizes = new int[k];
        foreach (int c in result.Assignments)
        {
            sizes[c]++;
        }

        // Iteration times go to the log of the run, not the report: the report stays byte-reproducible.
        summaries.Add(new ClusteringSummary(name, result.Assignments.Length, result.Iterations, result.Converged, result.Inertia, sizes,
            result.Stats.Select(s => s.Objective).ToArray(), result.Stats.Select(s => s.Imbalance).ToArray(), result.Stats.Select(s => s.EmptyClustersSplit).ToArray()));
        return groups is null ? result.Assignments : ModeByGroup(result.Assignments, groups, items, k);
    }

    private static PreparedModality PrepareModality(string name, int index, string supervisedBy, string embeddingsPath, int dim,
        int[] labels, int[] train, int k, CharacterizeOptions options, string workDir)
    {
        string labelsPath = Path.Combine(workDir, $"{name}.labels.npy");
        NpyFile.WriteIntVector(labelsPath, labels);
        var byClass = StratifiedSampler.GroupByClass(train, labels, k);
        var random = new DeterministicRandom(DeterministicRandom.Derive(options.Seed, "primary", index));
        var primary = new List<int>();
        var reserve = new List<int>();
        var trainCounts = new int[k];
        var primaryCounts = new int[k];
        var reserveCounts = new int[k];
        for (int c = 0; c < k; c++)
        {
            var members = byClass[c].ToArray();
            random.Shuffle(members.AsSpan());
            int take = (int)Math.Floor(options.PrimaryFraction * members.Length);
            if (take == 0 && members.Length >= 2)
            {
                take = 1;
            }

            primary.AddRange(members[..take]);
            reserve.AddRange(members[take..]);
            trainCounts[c] = members.Length;
            primaryCounts[c] = take;
            reserveCounts[c] = members.Length - take;
        }

        primary.Sort();
        reserve.Sort();
        string primaryPath = Path.Combine(workDir, $"{name}.primary.npy");
        string reservePath = Path.Combine(workDir, $"{name}.reserve.npy");
        NpyFile.WriteIntVector(primaryPath, primary.ToArray());
        NpyFile.WriteIntVector(reservePath, reserve.ToArray());
        return new PreparedModality(name, index, supervisedBy, Path.GetFullPath(embeddingsPath), dim, labelsPath, primaryPath, reservePath,
            trainCounts, primaryCounts, reserveCounts);
    }
}
