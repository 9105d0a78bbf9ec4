using System.CommandLine;
using System.Globalization;
using Scar.Abstractions;
using Scar.Core;

namespace Scar.Client.Commands;

/// <summary><c>scar characterize</c>: the whole method for both modalities, run as a job on the embedded silo.</summary>
public static class CharacterizeCommand
{
    private static readonly Option<string[]> Embeddings = new("--embeddings")
    {
        Description = "A modality as NAME=PATH.npy (2-D float32/float16). Give it twice, once per modality (or give raw data with --manifest/--shards).",
        Arity = ArgumentArity.OneOrMore,
    };

    private static readonly Option<string?> Groups = new("--groups") { Description = "1-D int .npy: the item index of each caption row, when a modality has several rows per item." };
    private static readonly Option<string?> Labels = new("--labels") { Description = "1-D int .npy: ground-truth class per item; replaces the clusters for both modalities." };
    private static readonly Option<int?> K = new("--k") { Description = "Number of pseudo-classes (k-means clusters)." };
    private static readonly Option<ulong> Seed = new("--seed") { Description = "Root seed; the same seed gives the same report.", DefaultValueFactory = _ => 42UL };
    private static readonly Option<double> TestFraction = new("--test-fraction") { Description = "Share of items held out for test accuracy.", DefaultValueFactory = _ => 0.2 };
    private static readonly Option<string> Out = new("--out") { Description = "Folder for report.json, timings.json and work/ checkpoints (required)." };
    private static readonly Option<string?> Ratios = new("--ratios") { Description = "Learning-curve ratios, comma-separated (default 1,2,5,10,15,20,30)." };
    private static readonly Option<int?> Epochs = new("--epochs") { Description = "Probe epoch cap (default 100)." };
    private static readonly Option<int?> Patience = new("--patience") { Description = "Probe early-stop patience in epochs (default 5)." };
    private static readonly Option<double?> PrimaryFraction = new("--primary-fraction") { Description = "Primary share of each class in data completion (default 0.6)." };
    private static readonly Option<int?> Repeats = new("--repeats") { Description = "Run the whole characterization R times with derived seeds and report mean ± range (default 1; the paper uses 3)." };
    private static readonly Option<double?> EpsilonAcc = new("--epsilon-acc") { Description = "Accuracy gap to the plateau that defines the learning-curve FDS (default 0.01)." };
    private static readonly Option<int?> Bootstrap = new("--bootstrap") { Description = "Bootstrap resamples of the learning-curve FDS interval (default 200; 0 for none)." };
    private static readonly Option<string?> Cluster = new("--cluster") { Description = "Submit to a running cluster instead of an embedded silo: its gateways as HOST:PORT[,HOST:PORT], or its silos' membership as redis://HOST:PORT or postgres://USER@HOST:PORT/DATABASE." };
    private static readonly Option<string> ClusterId = new("--cluster-id") { Description = "The cluster's id (SCAR_CLUSTER_ID of its silos).", DefaultValueFactory = _ => "scar-local" };
    private static readonly Option<int?> ShardRows = new("--shard-rows") { Description = "Rows per embedding shard (default 131072); results depend on it, not on the number of silos." };
    private static readonly Option<bool> Json = new("--json") { Description = "Print only the report's JSON on stdout (progress still goes to stderr)." };

    /// <summary>Builds the verb.</summary>
    public static Command Create(ConsoleIo io)
    {
        var command = new Command("characterize", "Characterize a paired dataset: pseudo-labels, FDS per modality, dataset-level SCAR and data completion.")
        {
            Cluster, ClusterId, Json,
        };
        ClusterTlsOptions.AddTo(command);
        AddSpecOptions(command);
        command.SetAction(async (parse, ct) =>
            await JobRunner.RunAsync(BuildSpec(parse), parse.GetValue(Json), io, parse.GetValue(Cluster), parse.GetValue(ClusterId)!, ct, ClusterTlsOptions.LoadFor(parse, parse.GetValue(Cluster))));
        return command;
    }

    /// <summary>Adds the options that make up a job spec (shared by <c>characterize</c> and <c>submit</c>).</summary>
    public static void AddSpecOptions(Command command)
    {
        foreach (Option option in new Option[] { Embeddings, Groups, Labels, K, Seed, TestFraction, Out, Ratios, Epochs, Patience, PrimaryFraction, Repeats, EpsilonAcc, Bootstrap, ShardRows })
        {
            command.Options.Add(option);
        }

        ExtractCommand.AddRawDataOptions(command);
    }

    /// <summary>The job spec given by the options of <see cref="AddSpecOptions"/>; relative paths are resolved against the working folder.</summary>
    public static JobSpec BuildSpec(ParseResult parse)
    {
        string outDir = Path.GetFullPath(parse.GetValue(Out) ?? throw new ScarInputException("--out", "give the output folder with --out DIR."));
        var extraction = ExtractCommand.ReadRawDataOptions(parse, Path.Combine(outDir, "embeddings"));
        if (extraction is not null && (parse.GetValue(Embeddings) ?? []).Length > 0)
        {
            throw new ScarInputException("--embeddings", "give either embeddings (--embeddings) or raw data (--manifest/--shards), not both.");
        }

        return new JobSpec
        {
            Modalities = extraction is null ? ParseModalities(parse.GetValue(Embeddings) ?? []) : ExtractCommand.PlannedModalities(extraction),
            Extraction = extraction,
            GroupsPath = extraction is null ? FullPath(parse.GetValue(Groups)) : Path.Combine(extraction.OutDir, "groups.npy"),
            LabelsPath = FullPath(parse.GetValue(Labels)),
            K = parse.GetValue(K),
            Seed = parse.GetValue(Seed),
            TestFraction = parse.GetValue(TestFraction),
            OutDir = outDir,
            Ratios = ParseRatios(parse.GetValue(Ratios)),
            MaxEpochs = parse.GetValue(Epochs),
            Patience = parse.GetValue(Patience),
            PrimaryFraction = parse.GetValue(PrimaryFraction),
            ShardRows = parse.GetValue(ShardRows),
            Repeats = parse.GetValue(Repeats),
            EpsilonAcc = parse.GetValue(EpsilonAcc),
            BootstrapResamples = parse.GetValue(Bootstrap),
        };
    }

    /// <summary>Whether any spec option was given on the command line (the spec then comes from options, not a file).</summary>
    public static bool HasSpecOptions(ParseResult parse) => parse.GetResult(Embeddings) is not null || parse.GetResult(Out) is not null;

    /// <summary>Parses NAME=PATH pairs, naming the malformed one.</summary>
    public static ModalitySpec[] ParseModalities(IReadOnlyList<string> values)
    {
        var result = new ModalitySpec[values.Count];
        for (int i = 0; i < values.Count; i++)
        {
            int eq = values[i].IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == values[i].Length - 1)
            {
                throw new ScarInputException("--embeddings", $"'{values[i]}' is not NAME=PATH.npy; write it as image=/data/image.npy.");
            }

            result[i] = new ModalitySpec(values[i][..eq], Path.GetFullPath(values[i][(eq + 1)..]));
        }

        return result;
    }

    /// <summary>Parses "1,2,5" into ratios, naming a bad entry.</summary>
    public static int[]? ParseRatios(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var parts = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var ratios = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out ratios[i]))
            {
                throw new ScarInputException("--ratios", $"'{parts[i]}' is not an integer; give ratios such as 1,2,5,10,15,20,30.");
            }
        }

        return ratios;
    }

    private static string? FullPath(string? path) => path is null ? null : Path.GetFullPath(path);
}
