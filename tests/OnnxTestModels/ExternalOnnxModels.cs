using Google.Protobuf;
using Microsoft.ML;
using MlOps.Contracts.Registry;
using MlOps.Onnx.Protos;

namespace MlOps.OnnxTestModels;

/// <summary>ONNX files made outside the platform, and the descriptors that read them.</summary>
public static class ExternalOnnxModels
{
    /// <summary>ML.NET's logistic regression on the customers (one-hot city, age, income), as ML.NET trained it.</summary>
    public static ITransformer TrainMlNet(MLContext ml, IEnumerable<Customer> training)
    {
        var pipeline = ml.Transforms.Categorical.OneHotEncoding("CityCode", nameof(Customer.City))
            .Append(ml.Transforms.Concatenate("Features", nameof(Customer.Age), nameof(Customer.Income), "CityCode"))
            .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression());
        return pipeline.Fit(ml.Data.LoadFromEnumerable(training));
    }

    /// <summary>The trained pipeline written by ML.NET's ONNX converter; its inputs are Age, Income (float) and City (string).</summary>
    public static byte[] ConvertedByMlNet(MLContext ml, ITransformer trained, IEnumerable<Customer> training)
    {
        using var file = new MemoryStream();
        // The converter's inputs follow the schema it is given: the feature columns, no label.
        ml.Model.ConvertToOnnx(trained, ml.Data.LoadFromEnumerable(training.Select(CustomerFeatures.Of)), file);
        return file.ToArray();
    }

    /// <summary>An ML.NET model trained on a few thousand customers and converted: a model "trained elsewhere".</summary>
    public static byte[] MlNetCustomerModel(int seed = 1)
    {
        var ml = new MLContext(seed: seed);
        var training = Customer.Many(2_000, seed);
        return ConvertedByMlNet(ml, TrainMlNet(ml, training), training);
    }

    /// <summary>How the converted ML.NET model is read: its columns by name, ML.NET's output names.</summary>
    public static ModelDescriptor MlNetDescriptor(string? dataset = null, int? version = null) => new(
        "binary",
        "Label",
        ["false", "true"],
        [new("Age", "numeric"), new("Income", "numeric"), new("City", "categorical")],
        Outputs: new ModelOutputNames("PredictedLabel.output", "Probability.output"),
        EvaluateOn: dataset is null ? null : new DatasetVersionSelector(dataset, version));

    /// <summary>float_input [N, k] → MatMul, Add, Sigmoid → probability [N, 1]: written with the ONNX schema directly.</summary>
    public static byte[] LogisticGraph(float[] weights, float bias)
    {
        static ValueInfoProto Value(string name, long columns) => new()
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor
                {
                    ElemType = (int)TensorProto.Types.DataType.Float,
                    Shape = new TensorShapeProto { Dim = { new TensorShapeProto.Types.Dimension { DimParam = "N" }, new TensorShapeProto.Types.Dimension { DimValue = columns } } },
                },
            },
        };

        var graph = new GraphProto
        {
            Name = "hand-built",
            Input = { Value("float_input", weights.Length) },
            Output = { Value("probability", 1L) },
            Initializer =
            {
                new TensorProto { Name = "w", DataType = (int)TensorProto.Types.DataType.Float, Dims = { weights.Length, 1 }, FloatData = { weights } },
                new TensorProto { Name = "b", DataType = (int)TensorProto.Types.DataType.Float, Dims = { 1 }, FloatData = { bias } },
            },
            Node =
            {
                new NodeProto { OpType = "MatMul", Input = { "float_input", "w" }, Output = { "z0" } },
                new NodeProto { OpType = "Add", Input = { "z0", "b" }, Output = { "z" } },
                new NodeProto { OpType = "Sigmoid", Input = { "z" }, Output = { "probability" } },
            },
        };
        return new ModelProto { IrVersion = 8, Graph = graph, OpsetImport = { new OperatorSetIdProto { Domain = string.Empty, Version = 17 } } }.ToByteArray();
    }

    /// <summary>The churn graph: tenure, complaints and late payments in one float tensor, the probability of leaving out.</summary>
    public static byte[] ChurnGraph() => LogisticGraph([-0.5f, 1f, 2f], -0.25f);

    /// <summary>How the churn graph is read: three named columns in one float tensor, one probability column (the second class's).</summary>
    public static ModelDescriptor ChurnDescriptor(string? dataset = null, int? version = null) => new(
        "binary",
        "churned",
        ["stay", "leave"],
        [new("tenure", "numeric"), new("complaints", "numeric"), new("late_payments", "numeric")],
        FeatureTensor: "float_input",
        Outputs: new ModelOutputNames(Probabilities: "probability"),
        EvaluateOn: dataset is null ? null : new DatasetVersionSelector(dataset, version));

    /// <summary>Churn rows labelled by the graph's own rule plus noise, so its accuracy is well above chance and below one.</summary>
    public static string ChurnCsv(int rows, int seed)
    {
        var random = new Random(seed);
        var csv = new System.Text.StringBuilder("tenure,complaints,late_payments,churned\n");
        for (var i = 0; i < rows; i++)
        {
            var tenure = random.Next(0, 10);
            var complaints = random.Next(0, 5);
            var late = random.Next(0, 3);
            var margin = (-0.5 * tenure) + complaints + (2 * late) - 0.25 + ((random.NextDouble() - 0.5) * 3);
            csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"{tenure},{complaints},{late},{(margin > 0 ? "leave" : "stay")}\n");
        }

        return csv.ToString();
    }
}
