namespace Scar.Core.Tests;

/// <summary>Locates <c>../shared/conformance</c> beside the project root, as CI lays it out.</summary>
internal static class Conformance
{
    /// <summary>The conformance folder, or null when it is absent (tests then skip with a message).</summary>
    public static string? Folder { get; } = Find();

    private static string? Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Scar.sln")))
            {
                string candidate = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "conformance"));
                return Directory.Exists(candidate) ? candidate : null;
            }
        }

        return null;
    }
}
