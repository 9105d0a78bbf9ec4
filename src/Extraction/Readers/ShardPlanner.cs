namespace Scar.Extraction.Readers;

/// <summary>Splits the input into shards: manifests into slices of a fixed record count, tar files one shard each.</summary>
public static class ShardPlanner
{
    /// <summary>Records per manifest shard by default.</summary>
    public const int DefaultShardSize = 1000;

    /// <summary>The shards of a manifest (.jsonl/.json/.parquet) and/or a glob of tar shards.</summary>
    public static IReadOnlyList<ShardSource> Plan(string? manifest, string? shardsGlob, int shardSize = DefaultShardSize)
    {
        if (shardSize < 1)
        {
            throw new ExtractionException($"shard size {shardSize} must be at least 1.");
        }

        var shards = new List<ShardSource>();
        if (manifest is not null)
        {
            string path = Path.GetFullPath(manifest);
            if (!File.Exists(path))
            {
                throw new ExtractionException($"manifest {path} does not exist.");
            }

            bool parquet = path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase);
            long n = parquet ? ParquetManifestReader.Count(path) : JsonLinesReader.Count(path);
            if (n == 0)
            {
                throw new ExtractionException($"manifest {path} has no records.");
            }

            for (long start = 0; start < n; start += shardSize)
            {
                shards.Add(new ShardSource(shards.Count, parquet ? "parquet" : "jsonl", path, start, Math.Min(shardSize, n - start)));
            }
        }

        if (shardsGlob is not null)
        {
            var files = Glob(shardsGlob);
            if (files.Count == 0)
            {
                throw new ExtractionException($"no tar shard matches {shardsGlob}.");
            }

            foreach (var f in files)
            {
                shards.Add(new ShardSource(shards.Count, "tar", f, 0, -1));
            }
        }

        if (shards.Count == 0)
        {
            throw new ExtractionException("give a manifest (--manifest FILE) or tar shards (--shards GLOB).");
        }

        return shards;
    }

    /// <summary>Files matching a pattern with * and ? in its last segment (DIR/*.tar), sorted ordinally.</summary>
    public static IReadOnlyList<string> Glob(string pattern)
    {
        string full = Path.GetFullPath(pattern);
        string dir = Path.GetDirectoryName(full)!;
        string name = Path.GetFileName(full);
        if (!Directory.Exists(dir))
        {
            return [];
        }

        return Directory.GetFiles(dir, name).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Reads one shard.</summary>
    public static ShardContent Read(ShardSource shard) => shard.Format switch
    {
        "jsonl" => JsonLinesReader.Read(shard.Path, shard.Start, shard.Count),
        "parquet" => ParquetManifestReader.Read(shard.Path, shard.Start, shard.Count),
        "tar" => TarShardReader.Read(shard.Path),
        _ => throw new ExtractionException($"unknown shard format '{shard.Format}'."),
    };
}
