using MlOps.Learning.Models;
using MlOps.Learning.Trees;
using MlOps.Onnx.Protos;
using static MlOps.Onnx.Export.OnnxGraph;

namespace MlOps.Onnx.Export;

/// <summary>
/// The predictor as graph nodes, from the feature matrix to the margins, <c>[N, outputs]</c>, as the platform's scorer
/// computes them: a linear model's weights and intercepts; a tree ensemble's trees (numeric splits with their missing
/// direction, category-set splits through one membership feature each), summed, plus base scores or averaged.
/// </summary>
internal static class PredictorGraph
{
    /// <summary>Forest probabilities are kept this far from 0 and 1, as the scorer keeps them.</summary>
    private const double ProbabilityFloor = 1e-15;

    public static string Add(OnnxGraph graph, Predictor predictor, FeatureGraph.Features features) => predictor switch
    {
        LinearPredictor linear => Linear(graph, linear, features.Matrix),
        TreeEnsemblePredictor trees => Trees(graph, trees, features),
        PackagedPredictor packaged => throw new OnnxExportException(
            $"The model's predictor was trained by another library ({packaged.Kind}); only the platform's own learners export to ONNX."),
        _ => throw new OnnxExportException($"The predictor {predictor.GetType().Name} has no ONNX export."),
    };

    private static string Linear(OnnxGraph graph, LinearPredictor linear, string matrix)
    {
        // MatMul takes [width, outputs]: the weights transposed.
        var weights = new double[linear.Width * linear.Outputs];
        for (var output = 0; output < linear.Outputs; output++)
        {
            var row = linear.WeightsOf(output);
            for (var feature = 0; feature < linear.Width; feature++)
            {
                weights[(feature * linear.Outputs) + output] = row[feature];
            }
        }

        var product = graph.Node("MatMul", "weighted", [matrix, graph.Constant("weights", weights, linear.Width, linear.Outputs)]);
        return graph.Node("Add", "margins", [product, graph.Constant("intercepts", linear.Intercepts, linear.Outputs)]);
    }

    private static string Trees(OnnxGraph graph, TreeEnsemblePredictor ensemble, FeatureGraph.Features features)
    {
        // Each distinct category set a split tests becomes a 0/1 feature after the matrix: 1 when the row's code is in it.
        var membership = new Dictionary<(int Feature, BinSet Set), int>();
        var columns = new List<string> { features.Matrix };
        var tree = new TreeAttributes();
        var treeId = 0;
        foreach (var member in ensemble.Trees)
        {
            for (var output = 0; output < member.Length; output++)
            {
                tree.AddTree(member[output], treeId++, output, (feature, set) =>
                {
                    if (!membership.TryGetValue((feature, set), out var index))
                    {
                        index = ensemble.Width + membership.Count;
                        membership[(feature, set)] = index;
                        columns.Add(Membership(graph, features.CodesOf(feature), set));
                    }

                    return index;
                });
            }
        }

        var input = columns.Count == 1 ? features.Matrix : graph.Node("Concat", "tree_features", columns, Attribute("axis", 1));
        var sums = graph.MlNode(
            "TreeEnsembleRegressor",
            "tree_sums",
            [input],
            [.. tree.Attributes(ensemble.Outputs)]);
        var margins = graph.Node("Cast", "tree_margins", [sums], Attribute("to", (long)TensorProto.Types.DataType.Double));
        return ensemble.Kind == EnsembleKind.Boosted
            ? graph.Node("Add", "margins", [margins, graph.Constant("base_scores", ensemble.BaseScores, ensemble.Outputs)])
            : ForestMargins(graph, ensemble, margins);
    }

    /// <summary>A forest's sums become means and, for classification, margins the output's sigmoid or softmax turns back into them.</summary>
    private static string ForestMargins(OnnxGraph graph, TreeEnsemblePredictor forest, string sums)
    {
        var means = graph.Node("Div", "means", [sums, graph.Constant("members", [(double)forest.Trees.Length])]);
        switch (forest.Objective)
        {
            case BoostingObjective.LogLoss:
                var p = graph.Node("Clip", "p", [means, graph.Constant("floor", [ProbabilityFloor]), graph.Constant("ceiling", [1 - ProbabilityFloor])]);
                var odds = graph.Node("Div", "odds", [p, graph.Node("Sub", "q", [graph.Constant("one", [1.0]), p])]);
                return graph.Node("Log", "margins", [odds]);
            case BoostingObjective.Softmax:
                return graph.Node("Log", "margins", [graph.Node("Max", "floored", [means, graph.Constant("floor", [ProbabilityFloor])])]);
            default:
                return means;
        }
    }

    private static string Membership(OnnxGraph graph, string codes, BinSet set)
    {
        var members = set.Bins().Select(bin => (long)bin).ToArray();
        var flag = graph.MlNode(
            "LabelEncoder",
            "in_set",
            [codes],
            Attribute("keys_int64s", members),
            Attribute("values_floats", members.Select(_ => 1f)),
            Attribute("default_float", 0f));
        return graph.Node("Cast", "in_set_value", [flag], Attribute("to", (long)TensorProto.Types.DataType.Double));
    }

    /// <summary>The node and leaf tuples of <c>TreeEnsembleRegressor</c> (ai.onnx.ml 3), thresholds and weights in double.</summary>
    private sealed class TreeAttributes
    {
        private readonly List<long> _treeIds = [];
        private readonly List<long> _nodeIds = [];
        private readonly List<long> _featureIds = [];
        private readonly List<string> _modes = [];
        private readonly List<double> _values = [];
        private readonly List<long> _trueIds = [];
        private readonly List<long> _falseIds = [];
        private readonly List<long> _missingTrue = [];
        private readonly List<long> _targetTreeIds = [];
        private readonly List<long> _targetNodeIds = [];
        private readonly List<long> _targetIds = [];
        private readonly List<double> _weights = [];

        /// <summary>
        /// One tree: internal node <c>i</c> keeps id <c>i</c>, leaf <c>j</c> gets id <c>nodes + j</c>. A numeric split
        /// is <c>x ≤ threshold</c> (true: left), a missing value going where the tree sends it; a category-set split
        /// is <c>membership &gt; 0.5</c> (true, in the set: left).
        /// </summary>
        public void AddTree(DecisionTree tree, int treeId, int output, Func<int, BinSet, int> membershipFeature)
        {
            var nodes = tree.Features.Length;
            for (var node = 0; node < nodes; node++)
            {
                var categorical = tree.LeftCategories is { } sets && sets[node] != default;
                Node(
                    treeId,
                    node,
                    categorical ? membershipFeature(tree.Features[node], tree.LeftCategories![node]) : tree.Features[node],
                    categorical ? "BRANCH_GT" : "BRANCH_LEQ",
                    categorical ? 0.5 : tree.Thresholds[node],
                    Child(tree.Left[node], nodes),
                    Child(tree.Right[node], nodes),
                    !categorical && tree.MissingLeft[node]);
            }

            for (var leaf = 0; leaf < tree.LeafCount; leaf++)
            {
                Node(treeId, nodes + leaf, 0, "LEAF", 0, 0, 0, missingTrue: false);
                _targetTreeIds.Add(treeId);
                _targetNodeIds.Add(nodes + leaf);
                _targetIds.Add(output);
                _weights.Add(tree.LeafValues[leaf]);
            }
        }

        public IEnumerable<AttributeProto> Attributes(int targets) =>
        [
            Attribute("n_targets", targets),
            Attribute("aggregate_function", "SUM"),
            Attribute("post_transform", "NONE"),
            Attribute("nodes_treeids", _treeIds),
            Attribute("nodes_nodeids", _nodeIds),
            Attribute("nodes_featureids", _featureIds),
            Attribute("nodes_modes", _modes),
            Attribute("nodes_values_as_tensor", DoubleTensor(_values)),
            Attribute("nodes_truenodeids", _trueIds),
            Attribute("nodes_falsenodeids", _falseIds),
            Attribute("nodes_missing_value_tracks_true", _missingTrue),
            Attribute("target_treeids", _targetTreeIds),
            Attribute("target_nodeids", _targetNodeIds),
            Attribute("target_ids", _targetIds),
            Attribute("target_weights_as_tensor", DoubleTensor(_weights)),
        ];

        private static long Child(int child, int nodes) => child < 0 ? nodes + ~child : child;

        private void Node(int treeId, long nodeId, long featureId, string mode, double value, long trueId, long falseId, bool missingTrue)
        {
            _treeIds.Add(treeId);
            _nodeIds.Add(nodeId);
            _featureIds.Add(featureId);
            _modes.Add(mode);
            _values.Add(value);
            _trueIds.Add(trueId);
            _falseIds.Add(falseId);
            _missingTrue.Add(missingTrue ? 1 : 0);
        }
    }
}
