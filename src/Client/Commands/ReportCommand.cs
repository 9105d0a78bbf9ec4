using System.CommandLine;

namespace Scar.Client.Commands;

/// <summary><c>scar report DIR</c>: prints the summary.md of a finished characterization.</summary>
public static class ReportCommand
{
    private static readonly Argument<string> Dir = new("DIR") { Description = "The --out folder of a characterization (holding summary.md and report.html)." };

    /// <summary>Builds the verb.</summary>
    public static Command Create(ConsoleIo io)
    {
        var command = new Command("report", "Print the Markdown summary (DIR/summary.md) of a finished characterization; DIR/report.html has the plots.") { Dir };
        command.SetAction(async (parse, ct) =>
        {
            string dir = Path.GetFullPath(parse.GetValue(Dir)!);
            string summary = Path.Combine(dir, "summary.md");
            if (!File.Exists(summary))
            {
                await io.Err.WriteLineAsync($"error: no report in {dir} (summary.md is missing); run 'scar characterize --out {dir}' or 'scar demo --out {dir}' first.");
                return ExitCodes.BadInput;
            }

            await io.Out.WriteAsync(await File.ReadAllTextAsync(summary, ct));
            return ExitCodes.Ok;
        });
        return command;
    }
}
