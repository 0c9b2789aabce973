using MlOps.Learning.Models;
using MlOps.Learning.Training;
using MlOps.Onnx.Protos;
using static MlOps.Onnx.Export.OnnxGraph;

namespace MlOps.Onnx.Export;

/// <summary>
/// From the margins to the named outputs, as the platform's scorer does: regression's value; binary classification's
/// sigmoid (the positive class from 0.5 up); multiclass's softmax and its first most likely class.
/// </summary>
internal static class OutputGraph
{
    public static void Add(OnnxGraph graph, Model model, string margins)
    {
        switch (model.Task)
        {
            case LearningTask.Regression:
                graph.Output(graph.Node("Reshape", "value", [margins, graph.Constant("rows", [-1L], 1)]), OnnxOutputs.Value,
                    TensorProto.Types.DataType.Double, $"the predicted {model.Target}", "N");
                return;
            case LearningTask.BinaryClassification:
            {
                var positive = graph.Node("Sigmoid", "positive", [margins]);
                var negative = graph.Node("Sub", "negative", [graph.Constant("one", [1.0]), positive]);
                Probabilities(graph, model, graph.Node("Concat", "probabilities", [negative, positive], Attribute("axis", 1)));
                var index = graph.Node("Cast", "class_index", [graph.Node("GreaterOrEqual", "is_positive", [positive, graph.Constant("half", [0.5])])],
                    Attribute("to", (long)TensorProto.Types.DataType.Int64));
                Label(graph, model, graph.Node("Reshape", "class_index_1d", [index, graph.Constant("rows", [-1L], 1)]));
                return;
            }

            default:
                Probabilities(graph, model, graph.Node("Softmax", "probabilities", [margins], Attribute("axis", 1)));
                Label(graph, model, graph.Node("ArgMax", "class_index", [margins], Attribute("axis", 1), Attribute("keepdims", 0)));
                return;
        }
    }

    private static void Probabilities(OnnxGraph graph, Model model, string probabilities) =>
        graph.Output(probabilities, OnnxOutputs.Probabilities, TensorProto.Types.DataType.Double,
            $"the probability of each class of {model.Target}: {string.Join(", ", model.Classes)}", "N", (long)model.Classes.Count);

    private static void Label(OnnxGraph graph, Model model, string index) =>
        graph.Output(graph.Node("Gather", "label", [graph.Constant("classes", model.Classes, model.Classes.Count), index], Attribute("axis", 0)),
            OnnxOutputs.Label, TensorProto.Types.DataType.String, $"the predicted {model.Target}", "N");
}
