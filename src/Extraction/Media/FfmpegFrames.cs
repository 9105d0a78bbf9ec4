using System.Diagnostics;

namespace Scar.Extraction.Media;

/// <summary>Samples video frames with Debian's <c>ffmpeg</c> as a child process (raw RGB24 on its stdout).</summary>
public static class FfmpegFrames
{
    /// <summary>The ffmpeg executable: <c>SCAR_FFMPEG</c>, else <c>ffmpeg</c> on the PATH.</summary>
    public static string Executable => Environment.GetEnvironmentVariable("SCAR_FFMPEG") is { Length: > 0 } f ? f : "ffmpeg";

    /// <summary>True when ffmpeg can be started.</summary>
    public static bool IsAvailable()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(Executable, "-version") { RedirectStandardOutput = true, RedirectStandardError = true });
            if (p is null)
            {
                return false;
            }

            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>Returns up to <paramref name="maxFrames"/> side × side RGB24 frames sampled at <paramref name="fps"/>.</summary>
    public static List<byte[]> Read(string path, double fps, int side, int maxFrames)
    {
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[]
        {
            "-nostdin", "-v", "error", "-i", path,
            "-vf", FormattableString.Invariant($"fps={fps},scale={side}:{side}"),
            "-frames:v", maxFrames.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1",
        })
        {
            info.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new ExtractionException("ffmpeg did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ExtractionException($"video needs ffmpeg ({Executable}): {e.Message}; apt-get install -y ffmpeg or set SCAR_FFMPEG.", e);
        }

        using (process)
        {
            var error = process.StandardError.ReadToEndAsync();
            int size = side * side * 3;
            var frames = new List<byte[]>();
            var stdout = process.StandardOutput.BaseStream;
            while (true)
            {
                var frame = new byte[size];
                int read = 0;
                while (read < size)
                {
                    int r = stdout.Read(frame, read, size - read);
                    if (r == 0)
                    {
                        break;
                    }

                    read += r;
                }

                if (read < size)
                {
                    break;
                }

                frames.Add(frame);
            }

            process.WaitForExit();
            if (process.ExitCode != 0 || frames.Count == 0)
            {
                string message = error.Result.Trim();
                throw new FormatException($"ffmpeg read no frames (exit {process.ExitCode}){(message.Length > 0 ? ": " + message.Split('\n')[0] : "")}");
            }

            return frames;
        }
    }
}
