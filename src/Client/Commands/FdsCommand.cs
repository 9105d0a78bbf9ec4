using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Scar.Core.Measures;

namespace Scar.Client.Commands;

/// <summary><c>scar fds --input FILE [--json]</c>: total and per-task FDS from per-task h values (SCAR-SPEC §5).</summary>
public static class FdsCommand
{
    private static readonly Option<FileInfo> Input = new("--input") { Description = "A JSON file in the conformance fds/ format: {\"rho\", \"h\": [...], \"delta\", \"epsilon\", \"delta_E\", \"bonferroni_order\"}.", Required = true };
    private static readonly Option<bool> Json = new("--json") { Description = "Print only JSON: {\"x\", \"fds_total\", \"fds_per_task\", \"fallback\"}." };

    /// <summary>Builds the verb.</summary>
    public static Command Create(ConsoleIo io)
    {
        var command = new Command("fds", "Total and per-task Foundation Data Size from per-task h values.") { Input, Json };
        command.SetAction(async (parse, ct) =>
        {
            FdsInput input = FdsInputFile.Load(parse.GetValue(Input)!.FullName);
            FdsResult result = FoundationDataSize.Total(input.H.ToArray(), input.Rho, input.Delta, input.Epsilon, input.DeltaE, input.Order);
            var perTask = input.H.Select(h => FoundationDataSize.PerTask(h, input.Delta, input.Epsilon)).ToArray();
            if (parse.GetValue(Json))
            {
                var payload = new Dictionary<string, object?>
                {
                    ["x"] = double.IsFinite(result.X) ? result.X : null,
                    ["fds_total"] = result.Total,
                    ["fds_per_task"] = perTask,
                    ["fallback"] = result.Fallback,
                };
                await io.Out.WriteLineAsync(JsonSerializer.Serialize(payload));
                return ExitCodes.Ok;
            }

            await io.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"FDS total: {result.Total:F3}{(result.Fallback ? " (fallback: sum of per-task FDS, no Bonferroni root was bracketed)" : $"  (x = {result.X:G10}, rho = {input.Rho:G6})")}"));
            for (int c = 0; c < perTask.Length; c++)
            {
                await io.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  task {c,3}: h = {input.H[c],14:G8}  FDS = {perTask[c],12:F3}"));
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
