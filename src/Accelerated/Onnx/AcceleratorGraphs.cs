using static Scar.Accelerated.Onnx.OnnxAttribute;

namespace Scar.Accelerated.Onnx;

/// <summary>
/// The ONNX graphs of the accelerated kernels, built in code for given d and k (the row count stays symbolic, "n").
/// Opset 17: the last one in which ReduceMin/ReduceSumSquare take their axes as an attribute.
/// </summary>
internal static class AcceleratorGraphs
{
    public const int Opset = 17;

    /// <summary>
    /// k-means assignment. Inputs X [n,d], C [k,d], cnorm [1,k] (‖c_j‖²). scores = −2·X·Cᵀ + cnorm (one Gemm),
    /// labels = ArgMin(scores, axis 1, first index on ties) as int64 [n], distances = Relu(‖x‖² + min scores) [n].
    /// With <paramref name="sums"/>: sums = OneHot(labels)ᵀ·X [k,d] and counts [k] (int64), so only n labels and
    /// distances and k × d sums cross back to the host.
    /// </summary>
    public static byte[] KMeansAssignment(int d, int k, bool sums)
    {
        var g = new OnnxGraph("scar_kmeans_assign")
            .Input("X", OnnxType.Float, "n", d)
            .Input("C", OnnxType.Float, k, d)
            .Input("cnorm", OnnxType.Float, 1, k)
            .Node("Gemm", ["X", "C", "cnorm"], ["scores"], Float("alpha", -2f), Float("beta", 1f), Int("transB", 1))
            .Node("ArgMin", ["scores"], ["labels"], Int("axis", 1), Int("keepdims", 0), Int("select_last_index", 0))
            .Node("ReduceMin", ["scores"], ["best"], IntList("axes", 1), Int("keepdims", 0))
            .Node("ReduceSumSquare", ["X"], ["xnorm"], IntList("axes", 1), Int("keepdims", 0))
            .Node("Add", ["xnorm", "best"], ["raw"])
            .Node("Relu", ["raw"], ["distances"])
            .Output("labels", OnnxType.Int64, "n")
            .Output("distances", OnnxType.Float, "n");
        if (sums)
        {
            g.Node("Constant", [], ["depth"], IntList("value_ints", k))
                .Node("Constant", [], ["onoff"], FloatList("value_floats", 0f, 1f))
                .Node("OneHot", ["labels", "depth", "onoff"], ["onehot"], Int("axis", -1))
                .Node("Gemm", ["onehot", "X"], ["sums"], Int("transA", 1))
                .Node("Constant", [], ["axis0"], IntList("value_ints", 0))
                .Node("ReduceSum", ["onehot", "axis0"], ["countsf"], Int("keepdims", 0))
                .Node("Cast", ["countsf"], ["counts"], Int("to", (long)OnnxType.Int64))
                .Output("sums", OnnxType.Float, k, d)
                .Output("counts", OnnxType.Int64, k);
        }

        return g.ToModel(Opset);
    }

    /// <summary>
    /// The probe's full-batch forward and gradient. Inputs X [n,d], Yhot [n,k] (one-hot labels), Y [n] (int64 labels),
    /// W [d,k], B [k], scale [1] (1/N). Z = X·W + B; G = (softmax(Z) − Yhot)·scale; gradW = Xᵀ·G [d,k];
    /// gradB = Σ_rows G [k]; loss = −Σ Yhot ⊙ logsoftmax(Z) (a scalar, summed, not divided);
    /// correct = #rows whose ArgMax(Z) (first index on ties) equals Y (int64 scalar).
    /// </summary>
    public static byte[] ProbeGradient(int d, int k) =>
        new OnnxGraph("scar_probe_gradient")
            .Input("X", OnnxType.Float, "n", d)
            .Input("Yhot", OnnxType.Float, "n", k)
            .Input("Y", OnnxType.Int64, "n")
            .Input("W", OnnxType.Float, d, k)
            .Input("B", OnnxType.Float, k)
            .Input("scale", OnnxType.Float, 1)
            .Node("Gemm", ["X", "W", "B"], ["Z"])
            .Node("Softmax", ["Z"], ["P"], Int("axis", 1))
            .Node("Sub", ["P", "Yhot"], ["D"])
            .Node("Mul", ["D", "scale"], ["G"])
            .Node("Gemm", ["X", "G"], ["gradW"], Int("transA", 1))
            .Node("Constant", [], ["axis0"], IntList("value_ints", 0))
            .Node("ReduceSum", ["G", "axis0"], ["gradB"], Int("keepdims", 0))
            .Node("LogSoftmax", ["Z"], ["LS"], Int("axis", 1))
            .Node("Mul", ["Yhot", "LS"], ["YLS"])
            .Node("ReduceSum", ["YLS"], ["negloss"], Int("keepdims", 0))
            .Node("Neg", ["negloss"], ["loss"])
            .Node("ArgMax", ["Z"], ["predicted"], Int("axis", 1), Int("keepdims", 0), Int("select_last_index", 0))
            .Node("Equal", ["predicted", "Y"], ["hit"])
            .Node("Cast", ["hit"], ["hits"], Int("to", (long)OnnxType.Int64))
            .Node("ReduceSum", ["hits"], ["correct"], Int("keepdims", 0))
            .Output("gradW", OnnxType.Float, d, k)
            .Output("gradB", OnnxType.Float, k)
            .Output("loss", OnnxType.Float)
            .Output("correct", OnnxType.Int64)
            .ToModel(Opset);

    /// <summary>Identity of a rank-<paramref name="rank"/> tensor: run with its output bound to device memory, it uploads a tensor once.</summary>
    public static byte[] Identity(OnnxType type, int rank)
    {
        object[] dims = Enumerable.Range(0, rank).Select(i => (object)$"d{i}").ToArray();
        return new OnnxGraph("scar_upload")
            .Input("in", type, dims)
            .Node("Identity", ["in"], ["out"])
            .Output("out", type, dims)
            .ToModel(Opset);
    }
}
