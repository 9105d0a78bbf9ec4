using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Scar.Abstractions;
using Scar.Core;
using Scar.Extraction;
using Scar.Extraction.Encoders;
using Scar.Grains;

namespace Scar.Client.Commands;

/// <summary><c>scar extract</c>: raw images/audio/video and captions to the embedding files <c>characterize</c> reads.</summary>
public static class ExtractCommand
{
    private static readonly Option<string?> Manifest = new("--manifest") { Description = "JSON Lines (.jsonl) or Parquet manifest: id, image (path relative to the manifest) or image_base64 (or audio/video), caption(s), optional labels." };
    private static readonly Option<string?> Shards = new("--shards") { Description = "WebDataset/img2dataset tar shards, as a glob such as data/shards/*.tar." };
    private static readonly Option<string?> MediaEncoder = new("--image-encoder") { Description = "Encoder config JSON for the images (or audio/video); default: built-in ResNet18." };
    private static readonly Option<string?> TextEncoder = new("--text-encoder") { Description = "Encoder config JSON for the captions; default: built-in MiniLM-L6." };
    private static readonly Option<string> Provider = new("--provider") { Description = "auto (CUDA when available), cpu or cuda.", DefaultValueFactory = _ => "auto" };
    private static readonly Option<bool> Float16 = new("--float16") { Description = "Write float16 embeddings instead of float32." };
    private static readonly Option<int> ShardSize = new("--shard-size") { Description = "Records per manifest shard (one extraction grain each).", DefaultValueFactory = _ => 1000 };
    private static readonly Option<string> Out = new("--out") { Description = "Output folder for the embeddings.", Required = true };

    /// <summary>Adds the raw-data options to a verb (characterize).</summary>
    public static void AddRawDataOptions(Command command)
    {
        foreach (var o in new Option[] { Manifest, Shards, MediaEncoder, TextEncoder, Provider, Float16, ShardSize })
        {
            command.Options.Add(o);
        }
    }

    /// <summary>The extraction spec of the raw-data options; null when neither --manifest nor --shards is given.</summary>
    public static ExtractionSpec? ReadRawDataOptions(ParseResult parse, string outDir)
    {
        string? manifest = parse.GetValue(Manifest), shards = parse.GetValue(Shards);
        if (manifest is null && shards is null)
        {
            return null;
        }

        string provider = parse.GetValue(Provider)!.ToLowerInvariant();
        if (provider is not ("auto" or "cpu" or "cuda"))
        {
            throw new ScarInputException("--provider", $"'{provider}' is not auto, cpu or cuda.");
        }

        if (manifest is not null && !File.Exists(manifest))
        {
            throw new ScarInputException("--manifest", $"{Path.GetFullPath(manifest)} does not exist; run scripts/fetch-emoji.sh for the example, or see docs/formats.md.");
        }

        return new ExtractionSpec
        {
            Manifest = manifest is null ? null : Path.GetFullPath(manifest),
            ShardsGlob = shards is null ? null : Path.GetFullPath(shards),
            OutDir = outDir,
            MediaEncoder = Full(parse.GetValue(MediaEncoder)),
            TextEncoder = Full(parse.GetValue(TextEncoder)),
            Float16 = parse.GetValue(Float16),
            Provider = provider,
            ShardSize = parse.GetValue(ShardSize),
        };
    }

    /// <summary>The modalities a job will characterize once extraction is done (the media name is fixed by the data).</summary>
    public static ModalitySpec[] PlannedModalities(ExtractionSpec spec) =>
        [new ModalitySpec("image", Path.Combine(spec.OutDir, "image.npy")), new ModalitySpec("text", Path.Combine(spec.OutDir, "text.npy"))];

    /// <summary>Builds the verb.</summary>
    public static Command Create(ConsoleIo io)
    {
        var command = new Command("extract", "Turn raw data (a manifest or tar shards of images/audio/video with captions) into the embeddings 'characterize' reads.") { Out };
        AddRawDataOptions(command);
        command.SetAction(async (parse, ct) =>
        {
            var spec = ReadRawDataOptions(parse, Path.GetFullPath(parse.GetValue(Out)!))
                ?? throw new ScarInputException("--manifest", "give a manifest (--manifest FILE) or tar shards (--shards GLOB).");
            using var loggers = LoggerFactory.Create(b => b.AddProvider(new LineLoggerProvider(io.Err)));
            // Written where reported (Progress<T> would post to the thread pool and could print after the command ends).
            var progress = new LineProgress(io.Err);
            ExtractionSummary summary;
            try
            {
                summary = await Extractor.RunAsync(spec.Manifest, spec.ShardsGlob, spec.ToSettings(), spec.ShardSize, loggers.CreateLogger("scar.extract"), progress, ct);
            }
            catch (ExtractionException e)
            {
                throw new ScarInputException("--manifest", e.Message);
            }

            await io.Out.WriteLineAsync(Describe(summary));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Human summary of an extraction: counts, throughput, the files and the command that characterizes them.</summary>
    public static string Describe(ExtractionSummary s)
    {
        var w = new StringWriter(CultureInfo.InvariantCulture);
        w.WriteLine($"extracted {s.Items} items, {s.Captions} captions ({s.Skipped} records skipped) on {s.Provider}");
        w.WriteLine($"throughput: {s.Media} {s.MediaPerSecond:F1}/s, texts {s.TextsPerSecond:F1}/s");
        foreach (var r in s.Shards.Where(r => r.Skipped > 0 || r.Damage is not null))
        {
            w.WriteLine($"  shard {r.Shard}: skipped {string.Join(", ", r.SkippedByReason.Select(p => $"{p.Value} {p.Key}"))}; e.g. {string.Join(" | ", r.SampleReasons.Take(3))}");
        }

        w.WriteLine($"files: {s.MediaPath}, {s.TextPath}, {s.GroupsPath}, {s.IdsPath}{string.Concat(s.LabelPaths.Values.Select(p => ", " + p))}");
        w.Write($"next:  scar characterize --embeddings {s.Media}={s.MediaPath} --embeddings text={s.TextPath} --groups {s.GroupsPath} --k K --out DIR");
        return w.ToString();
    }

    private static string? Full(string? path) => path is null ? null : Path.GetFullPath(path);

    private sealed class LineProgress(TextWriter writer) : IProgress<string>
    {
        public void Report(string value) => writer.WriteLine(value);
    }

    // One plain line per log message on stderr (the provider line, shard progress).
    private sealed class LineLoggerProvider(TextWriter writer) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new LineLogger(writer);

        public void Dispose()
        {
        }

        private sealed class LineLogger(TextWriter writer) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    writer.WriteLine(formatter(state, exception));
                }
            }
        }
    }
}
