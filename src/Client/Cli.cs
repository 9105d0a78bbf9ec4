using System.CommandLine;
using Scar.Client.Commands;
using Scar.Core;

namespace Scar.Client;

/// <summary>The <c>scar</c> command line: verbs, parsing, and the mapping of errors to exit codes.</summary>
public static class Cli
{
    /// <summary>Runs the command line with the given output writers; returns the exit code.</summary>
    /// <param name="args">Command-line arguments.</param>
    /// <param name="stdout">Results.</param>
    /// <param name="stderr">Progress and errors.</param>
    /// <param name="cancellationToken">Ctrl+C / SIGTERM.</param>
    /// <param name="errIsTerminal">Whether stderr is an interactive terminal (progress bar instead of plain lines).</param>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default, bool errIsTerminal = false)
    {
        var io = new ConsoleIo(stdout, stderr, errIsTerminal);
        var root = new RootCommand("Scar: characterize multi-modal datasets with SCAR (Scale, Coverage, Authenticity, Richness) and estimate their Foundation Data Size.")
        {
            FdsCommand.Create(io),
            MeasuresCommand.Create(io),
            CharacterizeCommand.Create(io),
            ExtractCommand.Create(io),
            DemoCommand.Create(io),
            ReportCommand.Create(io),
        };
        foreach (var verb in JobCommands.Create(io))
        {
            root.Subcommands.Add(verb);
        }


        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                await stderr.WriteLineAsync($"error: {error.Message}");
            }

            await stderr.WriteLineAsync("Run 'scar --help' (or 'scar VERB --help') for usage.");
            return ExitCodes.BadInput;
        }

        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false }, cancellationToken);
        }
        catch (ScarInputException e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (ClusterUnreachableException e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return ExitCodes.Unreachable;
        }
        catch (OperationCanceledException)
        {
            await stderr.WriteLineAsync("cancelled");
            return ExitCodes.Cancelled;
        }
    }
}

/// <summary>Where a command writes: results to <see cref="Out"/>, progress and errors to <see cref="Err"/>.</summary>
/// <param name="Out">Results (the only thing on stdout).</param>
/// <param name="Err">Progress and errors.</param>
/// <param name="ErrIsTerminal">Whether <see cref="Err"/> is an interactive terminal.</param>
public sealed record ConsoleIo(TextWriter Out, TextWriter Err, bool ErrIsTerminal = false);
