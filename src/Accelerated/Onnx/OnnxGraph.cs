namespace Scar.Accelerated.Onnx;

/// <summary>ONNX tensor element types (TensorProto.DataType) the built graphs use.</summary>
internal enum OnnxType
{
    /// <summary>float32.</summary>
    Float = 1,

    /// <summary>int64.</summary>
    Int64 = 7,
}

/// <summary>One node attribute: a float, an int, a list of floats or of ints (AttributeProto type FLOAT = 1, INT = 2, FLOATS = 6, INTS = 7).</summary>
internal readonly record struct OnnxAttribute(string Name, float? F = null, long? I = null, float[]? Floats = null, long[]? Ints = null)
{
    public static OnnxAttribute Float(string name, float value) => new(name, F: value);

    public static OnnxAttribute Int(string name, long value) => new(name, I: value);

    public static OnnxAttribute FloatList(string name, params float[] values) => new(name, Floats: values);

    public static OnnxAttribute IntList(string name, params long[] values) => new(name, Ints: values);
}

/// <summary>
/// Builds an ONNX ModelProto in code: graph inputs and outputs with tensor types whose dimensions are numbers
/// or symbolic names, nodes of the default domain with attributes, one opset import. Field numbers are those of
/// onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto, ValueInfoProto, TypeProto, TensorShapeProto,
/// OperatorSetIdProto).
/// </summary>
internal sealed class OnnxGraph(string name)
{
    // ModelProto.ir_version: 8 is what opset 17 shipped with; ONNX Runtime 1.32 reads up to 11.
    private const long IrVersion = 8;

    private readonly List<ProtoWriter> _nodes = [];
    private readonly List<ProtoWriter> _inputs = [];
    private readonly List<ProtoWriter> _outputs = [];

    /// <summary>Declares a graph input; each dimension is a <see cref="long"/> size or a <see cref="string"/> symbol.</summary>
    public OnnxGraph Input(string valueName, OnnxType type, params object[] dims)
    {
        _inputs.Add(ValueInfo(valueName, type, dims));
        return this;
    }

    /// <summary>Declares a graph output (see <see cref="Input"/>).</summary>
    public OnnxGraph Output(string valueName, OnnxType type, params object[] dims)
    {
        _outputs.Add(ValueInfo(valueName, type, dims));
        return this;
    }

    /// <summary>Appends a node (nodes must be added in topological order).</summary>
    public OnnxGraph Node(string opType, string[] inputs, string[] outputs, params OnnxAttribute[] attributes)
    {
        var node = new ProtoWriter();
        foreach (string input in inputs)
        {
            node.String(1, input); // NodeProto.input
        }

        foreach (string output in outputs)
        {
            node.String(2, output); // NodeProto.output
        }

        node.String(3, $"{opType}_{_nodes.Count}"); // NodeProto.name
        node.String(4, opType); // NodeProto.op_type
        foreach (OnnxAttribute a in attributes)
        {
            var attribute = new ProtoWriter().String(1, a.Name); // AttributeProto.name
            if (a.F is float f)
            {
                attribute.Float(2, f).Varint(20, 1); // f, type = FLOAT
            }
            else if (a.I is long i)
            {
                attribute.Varint(3, i).Varint(20, 2); // i, type = INT
            }
            else if (a.Floats is float[] floats)
            {
                foreach (float v in floats)
                {
                    attribute.Float(7, v); // floats (unpacked)
                }

                attribute.Varint(20, 6); // type = FLOATS
            }
            else
            {
                foreach (long v in a.Ints ?? [])
                {
                    attribute.Varint(8, v); // ints (unpacked; parsers accept both encodings)
                }

                attribute.Varint(20, 7); // type = INTS
            }

            node.Message(5, attribute); // NodeProto.attribute
        }

        _nodes.Add(node);
        return this;
    }

    /// <summary>The serialized ModelProto importing the default-domain opset <paramref name="opset"/>.</summary>
    public byte[] ToModel(int opset)
    {
        var graph = new ProtoWriter();
        foreach (ProtoWriter node in _nodes)
        {
            graph.Message(1, node); // GraphProto.node
        }

        graph.String(2, name); // GraphProto.name
        foreach (ProtoWriter input in _inputs)
        {
            graph.Message(11, input); // GraphProto.input
        }

        foreach (ProtoWriter output in _outputs)
        {
            graph.Message(12, output); // GraphProto.output
        }

        var opsetImport = new ProtoWriter().String(1, string.Empty).Varint(2, opset); // OperatorSetIdProto domain, version
        return new ProtoWriter()
            .Varint(1, IrVersion) // ModelProto.ir_version
            .String(2, "scar") // producer_name
            .Message(7, graph) // graph
            .Message(8, opsetImport) // opset_import
            .ToArray();
    }

    private static ProtoWriter ValueInfo(string valueName, OnnxType type, object[] dims)
    {
        var shape = new ProtoWriter();
        foreach (object dim in dims)
        {
            var dimension = dim switch
            {
                long size => new ProtoWriter().Varint(1, size), // Dimension.dim_value
                int size => new ProtoWriter().Varint(1, size),
                string symbol => new ProtoWriter().String(2, symbol), // Dimension.dim_param
                _ => throw new ArgumentException($"dimension {dim} is neither a size nor a symbol.", nameof(dims)),
            };
            shape.Message(1, dimension); // TensorShapeProto.dim
        }

        var tensor = new ProtoWriter().Varint(1, (long)type).Message(2, shape); // TypeProto.Tensor elem_type, shape
        var typeProto = new ProtoWriter().Message(1, tensor); // TypeProto.tensor_type
        return new ProtoWriter().String(1, valueName).Message(2, typeProto); // ValueInfoProto name, type
    }
}
