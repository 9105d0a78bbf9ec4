using Scar.Core;
using Scar.Grains;

namespace Scar.Silo.Http;

/// <summary>
/// Confines the paths of a submitted job to configured folders: '..' segments are refused, relative paths are taken
/// from the first root, and every symbolic link on the way is resolved before the check, so a link pointing out of
/// a root is refused too.
/// </summary>
public sealed class DataRoots
{
    private const int MaxLinkDepth = 40;
    private readonly string[] _realRoots;

    /// <summary>Creates the confinement for <paramref name="roots"/> (absolute folders).</summary>
    public DataRoots(IEnumerable<string> roots)
    {
        Roots = [.. roots.Select(r => Path.TrimEndingDirectorySeparator(Path.GetFullPath(r)))];
        _realRoots = [.. Roots.Select(r => Path.TrimEndingDirectorySeparator(RealPath(r)))];
    }

    /// <summary>The configured roots; relative paths are resolved against the first.</summary>
    public IReadOnlyList<string> Roots { get; }

    /// <summary>Checks every path of <paramref name="document"/>; throws a bad input naming the field.</summary>
    public void Check(JobSpecDocument document)
    {
        foreach (var (name, path) in document.Embeddings ?? [])
        {
            Confine(path, $"embeddings.{name}");
        }

        Confine(document.Groups, "groups");
        Confine(document.Labels, "labels");
        Confine(document.Out, "out");
        Confine(document.Manifest, "manifest");
        Confine(document.Shards, "shards");
        Confine(document.ImageEncoder, "image-encoder");
        Confine(document.TextEncoder, "text-encoder");
    }

    /// <summary>The full path of <paramref name="path"/> when it lies in a root; throws a bad input naming <paramref name="field"/> otherwise.</summary>
    public string? Confine(string? path, string field)
    {
        if (path is null)
        {
            return null;
        }

        if (path.Length == 0 || path.Contains('\0', StringComparison.Ordinal))
        {
            throw new ScarInputException(field, "the path is empty or contains a NUL character.");
        }

        if (path.Split('/', '\\').Contains(".."))
        {
            throw new ScarInputException(field, $"'{path}': '..' is not allowed in job paths.");
        }

        string full = Path.GetFullPath(path, Roots[0]);
        string real = RealPath(full);
        if (!_realRoots.Any(root => real == root || real.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
        {
            throw new ScarInputException(field, $"'{path}' is outside the data roots ({string.Join(':', Roots)}){(real == full ? "" : $": it resolves to {real}")}.");
        }

        return full;
    }

    /// <summary>
    /// <paramref name="fullPath"/> with every symbolic link among its existing components resolved (like realpath;
    /// components that do not exist yet are kept as they are).
    /// </summary>
    public static string RealPath(string fullPath) => RealPath(fullPath, 0);

    private static string RealPath(string fullPath, int depth)
    {
        if (depth > MaxLinkDepth)
        {
            throw new ScarInputException(fullPath, "too many levels of symbolic links.");
        }

        string current = Path.GetPathRoot(fullPath)!;
        foreach (string part in fullPath[current.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            string next = Path.Combine(current, part);
            string? target = new FileInfo(next).LinkTarget;
            current = target is null ? next : RealPath(Path.GetFullPath(target, current), depth + 1);
        }

        return current;
    }
}
