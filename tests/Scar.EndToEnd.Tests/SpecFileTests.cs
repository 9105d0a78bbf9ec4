using Scar.Client.Commands;
using Scar.Core;
using Scar.Grains;
using Scar.Silo.Http;

namespace Scar.EndToEnd.Tests;

/// <summary>Spec documents (JSON and YAML) and the data-root confinement, without a cluster.</summary>
public sealed class SpecFileTests
{
    [Fact]
    public void Yaml_and_json_specs_give_the_same_job()
    {
        const string json = """{"job-id": "a", "embeddings": {"image": "i.npy", "text": "t.npy"}, "k": 3, "out": "o", "ratios": [1, 2, 5], "test-fraction": 0.25}""";
        const string yaml = """
            job-id: "a"
            embeddings:
              image: i.npy
              text: t.npy
            k: 3
            out: o
            ratios: [1, 2, 5]
            test-fraction: 0.25
            """;
        var fromJson = JobSpecDocument.Parse(json, "json").ToJobSpec("/data", "json");
        var fromYaml = JobSpecDocument.Parse(YamlSpec.ToJson(yaml, "yaml"), "yaml").ToJobSpec("/data", "yaml");
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(fromJson), System.Text.Json.JsonSerializer.Serialize(fromYaml));
        Assert.Equal("/data/i.npy", fromYaml.Modalities[0].Path);
        Assert.Equal(0.25, fromYaml.TestFraction);
    }

    [Fact]
    public void Unknown_fields_are_bad_input()
    {
        var e = Assert.Throws<ScarInputException>(() => JobSpecDocument.Parse("""{"embedings": {}}""", "spec.json"));
        Assert.Equal("spec.json", e.Input);
    }

    [Fact]
    public void Symlinks_out_of_a_root_are_refused_and_inside_ones_accepted()
    {
        string root = Path.Combine(Path.GetTempPath(), $"scar-roots-{Guid.NewGuid():N}");
        string outside = Path.Combine(Path.GetTempPath(), $"scar-outside-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(root, "real"));
        Directory.CreateDirectory(outside);
        try
        {
            Directory.CreateSymbolicLink(Path.Combine(root, "in"), Path.Combine(root, "real"));
            Directory.CreateSymbolicLink(Path.Combine(root, "out"), outside);
            File.CreateSymbolicLink(Path.Combine(root, "real", "chain"), Path.Combine(root, "out"));
            var roots = new DataRoots([root]);
            Assert.Equal(Path.Combine(root, "in", "x.npy"), roots.Confine("in/x.npy", "f"));
            Assert.Throws<ScarInputException>(() => roots.Confine("out/x.npy", "f"));
            Assert.Throws<ScarInputException>(() => roots.Confine("in/chain/x.npy", "f"));
            Assert.Throws<ScarInputException>(() => roots.Confine("real/../../etc", "f"));
            Assert.Throws<ScarInputException>(() => roots.Confine(root + "-sibling/x.npy", "f"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public void A_spec_file_can_carry_raw_data_instead_of_embeddings()
    {
        var spec = JobSpecDocument.Parse("""{"manifest": "emoji/manifest.jsonl", "k": 10, "out": "out/emoji", "provider": "cpu", "shard-size": 500}""", "spec.json")
            .ToJobSpec("/data", "spec.json");
        Assert.NotNull(spec.Extraction);
        Assert.Equal("/data/emoji/manifest.jsonl", spec.Extraction!.Manifest);
        Assert.Equal("/data/out/emoji/embeddings", spec.Extraction.OutDir);
        Assert.Equal(500, spec.Extraction.ShardSize);
        Assert.Equal(["/data/out/emoji/embeddings/image.npy", "/data/out/emoji/embeddings/text.npy"], spec.Modalities.Select(m => m.Path));
        Assert.Equal("/data/out/emoji/embeddings/groups.npy", spec.GroupsPath);

        var both = Assert.Throws<ScarInputException>(() => JobSpecDocument.Parse("""{"manifest": "m.jsonl", "embeddings": {"a": "a.npy"}, "out": "o"}""", "spec.json").ToJobSpec("/data", "spec.json"));
        Assert.Contains("not both", both.Message);
        var provider = Assert.Throws<ScarInputException>(() => JobSpecDocument.Parse("""{"manifest": "m.jsonl", "out": "o", "provider": "tpu"}""", "spec.json").ToJobSpec("/data", "spec.json"));
        Assert.Contains("provider", provider.Input);
    }
}
