using System.Text.Json;

namespace Scar.Core.Measures;

/// <summary>
/// Reads an FDS input file in the conformance <c>fds/*.json</c> format:
/// <c>{"rho", "h": [...], "delta", "epsilon", "delta_E", "bonferroni_order"}</c>. "expected", "source" and other
/// keys are ignored; delta, epsilon, delta_E default to 0.01 and bonferroni_order to 3 when absent.
/// </summary>
public static class FdsInputFile
{
    /// <summary>Loads and validates <paramref name="path"/>.</summary>
    /// <exception cref="ScarInputException">The file is missing, not JSON, or a field is missing or invalid; the message names the field and the fix.</exception>
    public static FdsInput Load(string path)
    {
        using JsonDocument doc = JsonInput.Open(path);
        return FromJson(doc.RootElement, path);
    }

    /// <summary>Validates one FDS input object; <paramref name="source"/> names it in errors.</summary>
    public static FdsInput FromJson(JsonElement root, string source)
    {
        JsonInput.RequireObject(root, source);
        double rho = JsonInput.RequiredNumber(root, "rho", source);
        if (!(rho >= 1.0) || double.IsInfinity(rho))
        {
            throw new ScarInputException(source, $"field \"rho\" is {rho}; it must be a finite number ≥ 1 (ρ = max(e, …)).");
        }

        if (!root.TryGetProperty("h", out JsonElement hElement) || hElement.ValueKind != JsonValueKind.Array)
        {
            throw new ScarInputException(source, "field \"h\" is missing or not an array; give the per-task h values as a JSON array of numbers > 0.");
        }

        int count = hElement.GetArrayLength();
        if (count == 0)
        {
            throw new ScarInputException(source, "field \"h\" is empty; give at least one per-task h value.");
        }

        double[] h = new double[count];
        int i = 0;
        foreach (JsonElement item in hElement.EnumerateArray())
        {
            double value = JsonInput.Number(item, $"h[{i}]", source);
            if (!(value > 0) || double.IsInfinity(value))
            {
                throw new ScarInputException(source, $"field \"h[{i}]\" is {value}; every h must be a finite number > 0.");
            }

            h[i++] = value;
        }

        double delta = JsonInput.OptionalNumber(root, "delta", FoundationDataSize.DefaultDelta, source);
        double epsilon = JsonInput.OptionalNumber(root, "epsilon", FoundationDataSize.DefaultDelta, source);
        double deltaE = JsonInput.OptionalNumber(root, "delta_E", FoundationDataSize.DefaultDelta, source);
        double orderValue = JsonInput.OptionalNumber(root, "bonferroni_order", FoundationDataSize.DefaultOrder, source);
        if (!(delta > 0 && delta < 1))
        {
            throw new ScarInputException(source, $"field \"delta\" is {delta}; it must be in (0, 1), e.g. 0.01.");
        }

        if (!(epsilon > 0) || double.IsInfinity(epsilon))
        {
            throw new ScarInputException(source, $"field \"epsilon\" is {epsilon}; it must be a finite number > 0, e.g. 0.01.");
        }

        if (!(deltaE > 0 && deltaE < 1))
        {
            throw new ScarInputException(source, $"field \"delta_E\" is {deltaE}; it must be in (0, 1), e.g. 0.01.");
        }

        if (!(orderValue >= 1 && orderValue <= 64) || orderValue != Math.Floor(orderValue))
        {
            throw new ScarInputException(source, $"field \"bonferroni_order\" is {orderValue}; it must be an integer in [1, 64], e.g. 3.");
        }

        return new FdsInput(rho, h, delta, epsilon, deltaE, (int)orderValue);
    }
}

/// <summary>
/// Reads one measures case in the format of a conformance <c>measures.json</c> "measures[]" entry:
/// <c>{"ratio", "labels": [n ints], "logits": [n rows of k numbers]}</c>; other keys are ignored.
/// </summary>
public static class MeasuresInputFile
{
    /// <summary>Loads and validates <paramref name="path"/> (a single case object).</summary>
    /// <exception cref="ScarInputException">The file is missing, not JSON, or a field is missing or invalid; the message names the field and the fix.</exception>
    public static MeasuresInput Load(string path)
    {
        using JsonDocument doc = JsonInput.Open(path);
        return FromJson(doc.RootElement, path);
    }

    /// <summary>Validates one case object; <paramref name="source"/> names it in errors.</summary>
    public static MeasuresInput FromJson(JsonElement root, string source)
    {
        JsonInput.RequireObject(root, source);
        double ratio = JsonInput.RequiredNumber(root, "ratio", source);
        if (!(ratio >= 1.0) || double.IsInfinity(ratio))
        {
            throw new ScarInputException(source, $"field \"ratio\" is {ratio}; the down-sampling ratio must be a finite number ≥ 1.");
        }

        if (!root.TryGetProperty("logits", out JsonElement logitsElement) || logitsElement.ValueKind != JsonValueKind.Array)
        {
            throw new ScarInputException(source, "field \"logits\" is missing or not an array; give n rows of k numbers.");
        }

        if (!root.TryGetProperty("labels", out JsonElement labelsElement) || labelsElement.ValueKind != JsonValueKind.Array)
        {
            throw new ScarInputException(source, "field \"labels\" is missing or not an array; give n integer labels in [0, k).");
        }

        int n = logitsElement.GetArrayLength();
        if (n == 0)
        {
            throw new ScarInputException(source, "field \"logits\" is empty; give at least one row.");
        }

        int k = -1;
        double[]? logits = null;
        int row = 0;
        foreach (JsonElement rowElement in logitsElement.EnumerateArray())
        {
            if (rowElement.ValueKind != JsonValueKind.Array)
            {
                throw new ScarInputException(source, $"field \"logits[{row}]\" is not an array; every row must be an array of k numbers.");
            }

            int width = rowElement.GetArrayLength();
            if (k < 0)
            {
                if (width < 2)
                {
                    throw new ScarInputException(source, $"field \"logits[0]\" has {width} columns; k must be ≥ 2.");
                }

                k = width;
                logits = new double[checked(n * k)];
            }
            else if (width != k)
            {
                throw new ScarInputException(source, $"field \"logits[{row}]\" has {width} columns but row 0 has {k}; all rows must have the same width k.");
            }

            int col = 0;
            foreach (JsonElement cell in rowElement.EnumerateArray())
            {
                double value = JsonInput.Number(cell, $"logits[{row}][{col}]", source);
                if (!double.IsFinite(value))
                {
                    throw new ScarInputException(source, $"field \"logits[{row}][{col}]\" is {value}; logits must be finite.");
                }

                logits![(row * k) + col] = value;
                col++;
            }

            row++;
        }

        if (labelsElement.GetArrayLength() != n)
        {
            throw new ScarInputException(source, $"field \"labels\" has {labelsElement.GetArrayLength()} entries but \"logits\" has {n} rows; give one label per row.");
        }

        int[] labels = new int[n];
        int i = 0;
        foreach (JsonElement item in labelsElement.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out int label))
            {
                throw new ScarInputException(source, $"field \"labels[{i}]\" is not an integer; labels must be integers in [0, {k}).");
            }

            if (label < 0 || label >= k)
            {
                throw new ScarInputException(source, $"field \"labels[{i}]\" is {label}, outside [0, {k}); labels must index a logits column.");
            }

            labels[i++] = label;
        }

        return new MeasuresInput(ratio, labels, logits!, n, k);
    }
}

/// <summary>Shared JSON reading with <see cref="ScarInputException"/> errors that name the file and field.</summary>
internal static class JsonInput
{
    public static JsonDocument Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new ScarInputException(path, "file not found; check the path.");
        }

        try
        {
            using FileStream stream = File.OpenRead(path);
            return JsonDocument.Parse(stream);
        }
        catch (JsonException ex)
        {
            throw new ScarInputException(path, $"not valid JSON ({ex.Message}); fix the file's syntax.", ex);
        }
        catch (IOException ex)
        {
            throw new ScarInputException(path, $"cannot be read ({ex.Message}).", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new ScarInputException(path, $"cannot be read ({ex.Message}); check its permissions.", ex);
        }
    }

    public static void RequireObject(JsonElement root, string source)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ScarInputException(source, $"top level is a JSON {root.ValueKind}; it must be an object.");
        }
    }

    public static double RequiredNumber(JsonElement root, string field, string source)
    {
        if (!root.TryGetProperty(field, out JsonElement element))
        {
            throw new ScarInputException(source, $"field \"{field}\" is missing; add it as a number.");
        }

        return Number(element, field, source);
    }

    public static double OptionalNumber(JsonElement root, string field, double fallback, string source)
        => root.TryGetProperty(field, out JsonElement element) ? Number(element, field, source) : fallback;

    public static double Number(JsonElement element, string field, string source)
    {
        // JSON has no NaN literal; Python's json writes a bare NaN, which the parser rejects, so a number here is finite.
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetDouble(out double value))
        {
            throw new ScarInputException(source, $"field \"{field}\" is {element.ValueKind}, not a number; give a number.");
        }

        return value;
    }
}
