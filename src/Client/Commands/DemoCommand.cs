using System.CommandLine;
using System.Globalization;
using Scar.Abstractions;
using Scar.Core.IO;
using Scar.Core.Pipeline;
using Scar.Silo;

namespace Scar.Client.Commands;

/// <summary><c>scar demo</c>: makes a synthetic paired corpus with known concepts and characterizes it.</summary>
public static class DemoCommand
{
    private static readonly Option<string> Out = new("--out") { Description = "Folder for the corpus (data/) and the report.", DefaultValueFactory = _ => "scar-demo" };
    private static readonly Option<int> N = new("--n") { Description = "Number of pairs.", DefaultValueFactory = _ => 6000 };
    private static readonly Option<int> Concepts = new("--concepts") { Description = "Latent concepts shared by both modalities (used as k).", DefaultValueFactory = _ => 6 };
    private static readonly Option<int> ImageDim = new("--image-dim") { Description = "Embedding width of the image modality.", DefaultValueFactory = _ => 128 };
    private static readonly Option<int> TextDim = new("--text-dim") { Description = "Embedding width of the text modality.", DefaultValueFactory = _ => 96 };
    private static readonly Option<double> Mismatch = new("--mismatch") { Description = "Share of mismatched pairs.", DefaultValueFactory = _ => 0.1 };
    private static readonly Option<ulong> Seed = new("--seed") { Description = "Root seed of the corpus and the job.", DefaultValueFactory = _ => 42UL };
    private static readonly Option<int> Repeats = new("--repeats") { Description = "Repeats of the whole characterization (mean ± range).", DefaultValueFactory = _ => 1 };
    private static readonly Option<bool> GenerateOnly = new("--generate-only") { Description = "Write the corpus to DIR/data and stop (for benchmarks that characterize it elsewhere)." };
    private static readonly Option<bool> Json = new("--json") { Description = "Print only the report's JSON." };

    /// <summary>Builds the verb.</summary>
    public static Command Create(ConsoleIo io)
    {
        var command = new Command("demo", "Generate a small synthetic image–text corpus with known structure and characterize it on the embedded silo.")
        {
            Out, N, Concepts, ImageDim, TextDim, Mismatch, Seed, GenerateOnly, Repeats, Json,
        };
        command.SetAction(async (parse, ct) =>
        {
            // A bad SCAR_ACCELERATOR is refused before the corpus is generated, not after.
            ShardAccelerators.Parse(Environment.GetEnvironmentVariable(ShardAccelerators.Variable));
            string outDir = Path.GetFullPath(parse.GetValue(Out)!);
            string dataDir = Path.Combine(outDir, "data");
            Directory.CreateDirectory(dataDir);
            var options = new SyntheticCorpusOptions
            {
                Items = parse.GetValue(N),
                Concepts = parse.GetValue(Concepts),
                Mismatch = parse.GetValue(Mismatch),
                DimA = parse.GetValue(ImageDim),
                DimB = parse.GetValue(TextDim),
                Seed = parse.GetValue(Seed),
            };
            var corpus = SyntheticCorpusGenerator.Generate(options);
            string image = Path.Combine(dataDir, "image.npy"), text = Path.Combine(dataDir, "text.npy");
            NpyFile.WriteMatrix(image, corpus.A);
            NpyFile.WriteMatrix(text, corpus.B);
            NpyFile.WriteIntVector(Path.Combine(dataDir, "concepts.npy"), corpus.Concepts);
            if (!parse.GetValue(Json))
            {
                await io.Err.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"demo corpus: {options.Items} pairs, {options.Concepts} concepts, image d = {options.DimA}, text d = {options.DimB}, {corpus.Mismatched.Count(m => m)} mismatched pairs -> {dataDir}"));
            }

            if (parse.GetValue(GenerateOnly))
            {
                return ExitCodes.Ok;
            }

            var spec = new JobSpec
            {
                Modalities = [new ModalitySpec("image", image), new ModalitySpec("text", text)],
                K = options.Concepts,
                Seed = options.Seed,
                OutDir = outDir,
                Repeats = parse.GetValue(Repeats),
            };
            return await JobRunner.RunEmbeddedAsync(spec, parse.GetValue(Json), io, ct);
        });
        return command;
    }
}
