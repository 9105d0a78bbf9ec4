using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Scar.Core.Measures;

namespace Scar.Client.Commands;

/// <summary><c>scar measures --input FILE [--json]</c>: per-task S, C, A, R and h of one probe's training logits (SCAR-SPEC §3–§5).</summary>
public static class MeasuresCommand
{
    private static readonly Option<FileInfo> Input = new("--input") { Description = "A JSON file with one case: {\"ratio\", \"labels\": [n], \"logits\": [[k] × n]}.", Required = true };
    private static readonly Option<bool> Json = new("--json") { Description = "Print only JSON: {\"train_accuracy\", \"tasks\": [{\"scale\", \"coverage\", \"authenticity\", \"richness\", \"h\"}]}." };

    /// <summary>Builds the verb.</summary>
    public static Command Create(ConsoleIo io)
    {
        var command = new Command("measures", "Per-task Scale, Coverage, Authenticity, Richness and h of a probe's training logits.") { Input, Json };
        command.SetAction(async (parse, ct) =>
        {
            MeasuresInput input = MeasuresInputFile.Load(parse.GetValue(Input)!.FullName);
            SubsetMeasures measures = ScarMeasures.Compute(input.Logits, input.N, input.K, input.Labels, input.Ratio);
            var tasks = measures.Tasks.Select(t => new Dictionary<string, double>
            {
                ["scale"] = t.Scale,
                ["coverage"] = t.Coverage,
                ["authenticity"] = t.Authenticity,
                ["richness"] = t.Richness,
                ["h"] = ScarMeasures.Hypothesis(t),
            }).ToArray();
            if (parse.GetValue(Json))
            {
                await io.Out.WriteLineAsync(JsonSerializer.Serialize(new Dictionary<string, object> { ["train_accuracy"] = measures.TrainAccuracy, ["tasks"] = tasks }));
                return ExitCodes.Ok;
            }

            await io.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"n = {input.N}, k = {input.K}, ratio = {input.Ratio}, train accuracy = {measures.TrainAccuracy:F4}"));
            await io.Out.WriteLineAsync("  task     scale  coverage  authenticity  richness           h");
            for (int c = 0; c < tasks.Length; c++)
            {
                var t = tasks[c];
                await io.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"  {c,4}  {t["scale"],8:F4}  {t["coverage"],8:F4}  {t["authenticity"],12:F4}  {t["richness"],8:F4}  {t["h"],10:G6}"));
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
