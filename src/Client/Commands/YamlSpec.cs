using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Scar.Core;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Scar.Client.Commands;

/// <summary>Reads a YAML job spec as its JSON equivalent (same field names); plain scalars become numbers, booleans or null when they read as such.</summary>
public static class YamlSpec
{
    /// <summary>The JSON text of the YAML document <paramref name="yaml"/>; throws a bad input naming <paramref name="input"/>.</summary>
    public static string ToJson(string yaml, string input)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            if (stream.Documents.Count != 1)
            {
                throw new ScarInputException(input, "give exactly one YAML document.");
            }

            return ToNode(stream.Documents[0].RootNode)?.ToJsonString() ?? "null";
        }
        catch (YamlException e)
        {
            throw new ScarInputException(input, $"not valid YAML: {e.Message}");
        }
    }

    private static JsonNode? ToNode(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv => KeyValuePair.Create(((YamlScalarNode)kv.Key).Value ?? "", ToNode(kv.Value)))),
        YamlSequenceNode list => new JsonArray([.. list.Children.Select(ToNode)]),
        YamlScalarNode { Style: ScalarStyle.Plain } scalar => Plain(scalar.Value ?? ""),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => throw new JsonException($"unsupported YAML node at {node.Start}"),
    };

    private static JsonNode? Plain(string value) =>
        value is "" or "~" or "null" ? null
        : value is "true" or "false" ? JsonValue.Create(value == "true")
        : long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long l) ? JsonValue.Create(l)
        : double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? JsonValue.Create(d)
        : JsonValue.Create(value);
}
