using System.Text.Json;
using System.Text.Json.Serialization;
using Scar.Abstractions;
using Scar.Core;

namespace Scar.Grains;

/// <summary>
/// A job spec as a JSON document (a spec file of <c>scar submit</c>, or the body of <c>POST /jobs</c>). Field names
/// are the options of <c>scar characterize</c>: <c>embeddings</c> (an object NAME → PATH.npy), <c>groups</c>,
/// <c>labels</c>, <c>k</c>, <c>seed</c>, <c>test-fraction</c>, <c>out</c>, <c>ratios</c>, <c>epochs</c>,
/// <c>patience</c>, <c>primary-fraction</c>, <c>repeats</c>, <c>epsilon-acc</c>, <c>bootstrap</c>, <c>shard-rows</c>,
/// and <c>job-id</c> (optional). Unknown fields are refused.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class JobSpecDocument
{
    /// <summary>The job id; null to let the client generate one.</summary>
    [JsonPropertyName("job-id")] public string? JobId { get; init; }

    /// <summary>The two modalities: name → path of the embeddings (.npy).</summary>
    [JsonPropertyName("embeddings")] public Dictionary<string, string>? Embeddings { get; init; }

    /// <summary>Optional caption-to-item group ids (.npy).</summary>
    [JsonPropertyName("groups")] public string? Groups { get; init; }

    /// <summary>Optional labels (.npy).</summary>
    [JsonPropertyName("labels")] public string? Labels { get; init; }

    /// <summary>Number of pseudo-classes.</summary>
    [JsonPropertyName("k")] public int? K { get; init; }

    /// <summary>Root seed (default 42).</summary>
    [JsonPropertyName("seed")] public ulong? Seed { get; init; }

    /// <summary>Held-out share (default 0.2).</summary>
    [JsonPropertyName("test-fraction")] public double? TestFraction { get; init; }

    /// <summary>Output folder (required).</summary>
    [JsonPropertyName("out")] public string? Out { get; init; }

    /// <summary>Learning-curve ratios.</summary>
    [JsonPropertyName("ratios")] public int[]? Ratios { get; init; }

    /// <summary>Probe epoch cap.</summary>
    [JsonPropertyName("epochs")] public int? Epochs { get; init; }

    /// <summary>Probe early-stop patience.</summary>
    [JsonPropertyName("patience")] public int? Patience { get; init; }

    /// <summary>Primary share of data completion.</summary>
    [JsonPropertyName("primary-fraction")] public double? PrimaryFraction { get; init; }

    /// <summary>Repeats with derived seeds.</summary>
    [JsonPropertyName("repeats")] public int? Repeats { get; init; }

    /// <summary>ε_acc of the learning-curve FDS.</summary>
    [JsonPropertyName("epsilon-acc")] public double? EpsilonAcc { get; init; }

    /// <summary>Bootstrap resamples.</summary>
    [JsonPropertyName("bootstrap")] public int? Bootstrap { get; init; }

    /// <summary>Rows per embedding shard.</summary>
    [JsonPropertyName("shard-rows")] public int? ShardRows { get; init; }

    /// <summary>Raw data instead of embeddings: a JSON Lines or Parquet manifest (as --manifest).</summary>
    [JsonPropertyName("manifest")] public string? Manifest { get; init; }

    /// <summary>Raw data instead of embeddings: a glob of WebDataset tar shards (as --shards).</summary>
    [JsonPropertyName("shards")] public string? Shards { get; init; }

    /// <summary>Image/audio/video encoder configuration file (as --image-encoder).</summary>
    [JsonPropertyName("image-encoder")] public string? ImageEncoder { get; init; }

    /// <summary>Text encoder configuration file (as --text-encoder).</summary>
    [JsonPropertyName("text-encoder")] public string? TextEncoder { get; init; }

    /// <summary>auto, cpu or cuda (as --provider).</summary>
    [JsonPropertyName("provider")] public string? Provider { get; init; }

    /// <summary>Write float16 embeddings (as --float16).</summary>
    [JsonPropertyName("float16")] public bool? Float16 { get; init; }

    /// <summary>Records per extraction shard (as --shard-size).</summary>
    [JsonPropertyName("shard-size")] public int? ShardSize { get; init; }

    /// <summary>Parses a document, naming the problem as a bad input of <paramref name="input"/>.</summary>
    public static JobSpecDocument Parse(string json, string input)
    {
        try
        {
            return JsonSerializer.Deserialize<JobSpecDocument>(json) ?? throw new ScarInputException(input, "the job spec is null.");
        }
        catch (JsonException e)
        {
            throw new ScarInputException(input, $"not a valid job spec: {e.Message}");
        }
    }

    /// <summary>The spec, with relative paths resolved against <paramref name="baseDir"/>; names a missing field.</summary>
    public JobSpec ToJobSpec(string baseDir, string input)
    {
        bool raw = Manifest is not null || Shards is not null;
        if (raw && Embeddings is { Count: > 0 })
        {
            throw new ScarInputException($"{input}: embeddings", "give either \"embeddings\" or raw data (\"manifest\" / \"shards\"), not both.");
        }

        if (!raw && Embeddings is not { Count: > 0 })
        {
            throw new ScarInputException($"{input}: embeddings", "give the modalities as \"embeddings\": {\"image\": \"image.npy\", \"text\": \"text.npy\"}, or raw data as \"manifest\" or \"shards\".");
        }

        if (string.IsNullOrWhiteSpace(Out))
        {
            throw new ScarInputException($"{input}: out", "give the output folder as \"out\".");
        }

        string provider = (Provider ?? "auto").ToLowerInvariant();
        if (provider is not ("auto" or "cpu" or "cuda"))
        {
            throw new ScarInputException($"{input}: provider", $"'{Provider}' is not auto, cpu or cuda.");
        }

        // Raw data is extracted first into OUT/embeddings, which the characterization then reads (as --manifest does).
        ExtractionSpec? extraction = raw ? new ExtractionSpec
        {
            Manifest = Manifest is null ? null : Full(Manifest),
            ShardsGlob = Shards is null ? null : Full(Shards),
            OutDir = Path.Combine(Full(Out), "embeddings"),
            MediaEncoder = ImageEncoder is null ? null : Full(ImageEncoder),
            TextEncoder = TextEncoder is null ? null : Full(TextEncoder),
            Float16 = Float16 ?? false,
            Provider = provider,
            ShardSize = ShardSize ?? new ExtractionSpec { OutDir = "" }.ShardSize,
        } : null;

        var d = new JobSpec { Modalities = [], OutDir = "" };
        return new JobSpec
        {
            Modalities = extraction is null
                ? [.. Embeddings!.Select(e => new ModalitySpec(e.Key, Full(e.Value)))]
                : [new ModalitySpec("image", Path.Combine(extraction.OutDir, "image.npy")), new ModalitySpec("text", Path.Combine(extraction.OutDir, "text.npy"))],
            Extraction = extraction,
            GroupsPath = extraction is not null ? Path.Combine(extraction.OutDir, "groups.npy") : Groups is null ? null : Full(Groups),
            LabelsPath = Labels is null ? null : Full(Labels),
            K = K,
            Seed = Seed ?? d.Seed,
            TestFraction = TestFraction ?? d.TestFraction,
            OutDir = Full(Out),
            Ratios = Ratios,
            MaxEpochs = Epochs,
            Patience = Patience,
            PrimaryFraction = PrimaryFraction,
            Repeats = Repeats,
            EpsilonAcc = EpsilonAcc,
            BootstrapResamples = Bootstrap,
            ShardRows = ShardRows,
        };

        string Full(string path) => Path.GetFullPath(path, baseDir);
    }
}

/// <summary>JSON conventions of the CLI's --json output and the HTTP API (camelCase, enums as strings).</summary>
public static class ScarJson
{
    /// <summary>The shared options.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        WriteIndented = false,
    };
}

/// <summary>Job ids: 1–128 characters of letters, digits, '.', '_' and '-'.</summary>
public static class JobIds
{
    /// <summary>A fresh id.</summary>
    public static string New() => $"job-{Guid.NewGuid():N}";

    /// <summary>Throws a bad-input error naming <paramref name="input"/> when <paramref name="jobId"/> is not a valid id.</summary>
    public static string Validate(string jobId, string input)
    {
        if (jobId.Length is 0 or > 128 || !jobId.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
        {
            throw new ScarInputException(input, $"'{jobId}' is not a job id: use 1-128 letters, digits, '.', '_' or '-'.");
        }

        return jobId;
    }
}
