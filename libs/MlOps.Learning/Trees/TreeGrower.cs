namespace MlOps.Learning.Trees;

/// <summary>How a tree grows: at most <paramref name="NumLeaves"/> leaves, and at most <paramref name="MaxDepth"/> levels when set.</summary>
/// <param name="Threads">Workers building histograms (default: every core).</param>
/// <param name="FeaturesPerSplit">
/// When set, each leaf chooses its split among this many features drawn at random (a random forest's sqrt rule).
/// </param>
public sealed record TreeOptions(int NumLeaves = 31, int? MaxDepth = null, SplitOptions? Split = null, int? Threads = null, int? FeaturesPerSplit = null)
{
    public SplitOptions SplitOrDefault => Split ?? new SplitOptions();

    public int ThreadsOrDefault => Threads ?? Environment.ProcessorCount;
}

/// <summary>
/// Grows one tree leaf-wise (LightGBM's way): the leaf whose best split gains most splits next, until the tree has
/// its leaves or no leaf can split. A split's smaller child gets a histogram built from its rows; the larger one's is
/// the parent's less it. Rows are kept in one array, each leaf a contiguous segment, partitioned in place. The
/// histograms and buffers are the grower's, reused from tree to tree.
/// </summary>
public sealed class TreeGrower
{

    private readonly BinnedFeatures _features;
    private readonly TreeOptions _options;
    private readonly Histogram[] _histograms;
    private readonly HistogramBuilder _builder;
    private readonly int[] _rows;
    private readonly int[] _scratch;
    private readonly byte[] _goesLeft = new byte[Histogram.SlotsPerFeature];
    private readonly int[] _candidates;
    private readonly bool[] _leafMask;
    private readonly int[] _chunkLeft;
    private readonly ParallelOptions _parallel;

    /// <summary>Below this many rows a chunk, a leaf is partitioned in fewer chunks.</summary>
    private const int MinRowsPerPartitionChunk = 32_768;

    public TreeGrower(BinnedFeatures features, TreeOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.NumLeaves, 2);
        _features = features;
        _options = options;
        _histograms = new Histogram[options.NumLeaves];
        for (var i = 0; i < _histograms.Length; i++)
        {
            _histograms[i] = new Histogram(features.FeatureCount);
        }

        _builder = new HistogramBuilder(features.FeatureCount, options.ThreadsOrDefault);
        _rows = new int[features.RowCount];
        _scratch = new int[features.RowCount];
        _chunkLeft = new int[options.ThreadsOrDefault];
        _candidates = new int[features.FeatureCount];
        _leafMask = new bool[features.FeatureCount];
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = options.ThreadsOrDefault };
    }

    /// <summary>One leaf while the tree grows: its rows' segment, its histogram slot, its depth and its best split.</summary>
    private sealed class Leaf(int start, int count, int histogram, int depth, double gradient, double hessian)
    {
        public int Start = start;
        public int Count = count;
        public int HistogramSlot = histogram;
        public int Depth = depth;
        public double Gradient = gradient;
        public double Hessian = hessian;
        public Split? Split;

        // Where this leaf hangs in the tree: the internal node and which side, or -1 for the root.
        public int Parent = -1;
        public bool IsLeft;
    }

    /// <summary>
    /// A tree for these gradients and hessians (one pair a row); leaf values are −T(G)/(H + λ). When given,
    /// <paramref name="leafOfRow"/> receives each training row's leaf, as the growth partitioned them (no tree walk).
    /// </summary>
    /// <param name="rowSubset">When given, the tree is grown from these rows only (bagging).</param>
    /// <param name="featureMask">When given, only the features marked true may split (column subsampling).</param>
    /// <param name="random">Draws each leaf's features when <see cref="TreeOptions.FeaturesPerSplit"/> is set.</param>
    public DecisionTree Grow(GradientPair[] statistics, int[]? leafOfRow = null, int[]? rowSubset = null, bool[]? featureMask = null, Random? random = null)
    {
        if (_options.FeaturesPerSplit is not null && random is null)
        {
            throw new ArgumentNullException(nameof(random), "Drawing features for each split needs a seeded random source.");
        }

        var split = _options.SplitOrDefault;
        var rootCount = rowSubset?.Length ?? _rows.Length;
        if (rowSubset is null)
        {
            for (var i = 0; i < _rows.Length; i++)
            {
                _rows[i] = i;
            }
        }
        else
        {
            rowSubset.CopyTo(_rows, 0);
        }

        double gradient = 0, hessian = 0;
        foreach (var row in _rows.AsSpan(0, rootCount))
        {
            gradient += statistics[row].Gradient;
            hessian += statistics[row].Hessian;
        }

        var leaves = new List<Leaf>(_options.NumLeaves) { new(0, rootCount, 0, 0, gradient, hessian) };
        _builder.Build(_histograms[0], _features, statistics, rowSubset is null ? null : _rows, 0, rootCount);
        leaves[0].Split = CanSplit(leaves[0]) ? SplitFinder.FindBest(_histograms[0], split, FeaturesFor(featureMask, random)) : null;

        var features = new List<int>();
        var thresholds = new List<double>();
        var missingLeft = new List<bool>();
        var left = new List<int>();
        var right = new List<int>();
        var gains = new List<double>();
        while (leaves.Count < _options.NumLeaves)
        {
            var best = -1;
            for (var i = 0; i < leaves.Count; i++)
            {
                if (leaves[i].Split is { } candidate && (best < 0 || candidate.Gain > leaves[best].Split!.Gain))
                {
                    best = i;
                }
            }

            if (best < 0)
            {
                break;
            }

            var parent = leaves[best];
            var chosen = parent.Split!;
            var node = features.Count;
            features.Add(chosen.Feature);
            thresholds.Add(_features.Bins[chosen.Feature].UpperBounds[chosen.ThresholdBin - 1]);
            missingLeft.Add(chosen.MissingGoesLeft);
            gains.Add(chosen.Gain);
            left.Add(0);
            right.Add(0);
            if (parent.Parent >= 0)
            {
                (parent.IsLeft ? left : right)[parent.Parent] = node;
            }

            var leftCount = Partition(parent, chosen);
            var leftLeaf = new Leaf(parent.Start, leftCount, parent.HistogramSlot, parent.Depth + 1, chosen.LeftGradient, chosen.LeftHessian) { Parent = node, IsLeft = true };
            var rightLeaf = new Leaf(parent.Start + leftCount, parent.Count - leftCount, leaves.Count, parent.Depth + 1, chosen.RightGradient, chosen.RightHessian) { Parent = node, IsLeft = false };

            // The smaller child's histogram from its rows; the larger's is what remains of the parent's.
            var (small, large) = leftLeaf.Count <= rightLeaf.Count ? (leftLeaf, rightLeaf) : (rightLeaf, leftLeaf);
            var parentHistogram = _histograms[parent.HistogramSlot];
            var freeSlot = leaves.Count;
            (small.HistogramSlot, large.HistogramSlot) = (freeSlot, parent.HistogramSlot);
            _builder.Build(_histograms[small.HistogramSlot], _features, statistics, _rows, small.Start, small.Count);
            parentHistogram.Subtract(_histograms[small.HistogramSlot]);

            leftLeaf.Split = CanSplit(leftLeaf) ? SplitFinder.FindBest(_histograms[leftLeaf.HistogramSlot], split, FeaturesFor(featureMask, random)) : null;
            rightLeaf.Split = CanSplit(rightLeaf) ? SplitFinder.FindBest(_histograms[rightLeaf.HistogramSlot], split, FeaturesFor(featureMask, random)) : null;
            leaves[best] = leftLeaf;
            leaves.Add(rightLeaf);
        }

        var leafValues = new double[leaves.Count];
        for (var i = 0; i < leaves.Count; i++)
        {
            leafValues[i] = SplitFinder.LeafValue(leaves[i].Gradient, leaves[i].Hessian, split);
            if (leafOfRow is not null)
            {
                foreach (var row in _rows.AsSpan(leaves[i].Start, leaves[i].Count))
                {
                    leafOfRow[row] = i;
                }
            }

            if (leaves[i].Parent >= 0)
            {
                (leaves[i].IsLeft ? left : right)[leaves[i].Parent] = ~i;
            }
        }

        return new DecisionTree([.. features], [.. thresholds], [.. missingLeft], [.. left], [.. right], leafValues, [.. gains]);
    }

    /// <summary>
    /// The features a leaf may split on: the tree's, or (with <see cref="TreeOptions.FeaturesPerSplit"/>) that many of
    /// them drawn without replacement for this leaf alone.
    /// </summary>
    private bool[]? FeaturesFor(bool[]? featureMask, Random? random)
    {
        if (_options.FeaturesPerSplit is not { } wanted)
        {
            return featureMask;
        }

        var candidates = 0;
        for (var feature = 0; feature < _features.FeatureCount; feature++)
        {
            if (featureMask is null || featureMask[feature])
            {
                _candidates[candidates++] = feature;
            }
        }

        Array.Clear(_leafMask);
        for (var i = 0; i < Math.Min(wanted, candidates); i++)
        {
            var j = random!.Next(i, candidates);
            (_candidates[i], _candidates[j]) = (_candidates[j], _candidates[i]);
            _leafMask[_candidates[i]] = true;
        }

        return _leafMask;
    }

    private bool CanSplit(Leaf leaf) => _options.MaxDepth is not { } depth || leaf.Depth < depth;

    /// <summary>
    /// Moves the leaf's rows that go left to the front of its segment, the others after them, each side in its former
    /// order (so a leaf's rows stay ascending); answers how many went left. Large segments are cut into one chunk a
    /// worker, each partitioned on its own, then put together.
    /// </summary>
    private int Partition(Leaf leaf, Split split)
    {
        var goesLeft = _goesLeft;
        goesLeft[NumericBins.MissingBin] = split.MissingGoesLeft ? (byte)1 : (byte)0;
        for (var bin = 1; bin < goesLeft.Length; bin++)
        {
            goesLeft[bin] = bin <= split.ThresholdBin ? (byte)1 : (byte)0;
        }

        var column = _features.ColumnArray(split.Feature);
        var chunks = Math.Clamp(leaf.Count / MinRowsPerPartitionChunk, 1, _chunkLeft.Length);
        if (chunks == 1)
        {
            var left = PartitionChunk(column, goesLeft, _rows.AsSpan(leaf.Start, leaf.Count), _scratch.AsSpan(leaf.Start, leaf.Count));
            _scratch.AsSpan(leaf.Start, leaf.Count - left).CopyTo(_rows.AsSpan(leaf.Start + left));
            return left;
        }

        Parallel.For(0, chunks, _parallel, chunk =>
        {
            var (from, count) = ChunkOf(leaf, chunk, chunks);
            _chunkLeft[chunk] = PartitionChunk(column, goesLeft, _rows.AsSpan(from, count), _scratch.AsSpan(from, count));
        });

        // Every chunk's left rows in chunk order (each moves towards the front, which a span copy allows), then every
        // chunk's right rows from the scratch space.
        var position = leaf.Start;
        for (var chunk = 0; chunk < chunks; chunk++)
        {
            var (from, _) = ChunkOf(leaf, chunk, chunks);
            _rows.AsSpan(from, _chunkLeft[chunk]).CopyTo(_rows.AsSpan(position));
            position += _chunkLeft[chunk];
        }

        var leftCount = position - leaf.Start;
        for (var chunk = 0; chunk < chunks; chunk++)
        {
            var (from, count) = ChunkOf(leaf, chunk, chunks);
            _scratch.AsSpan(from, count - _chunkLeft[chunk]).CopyTo(_rows.AsSpan(position));
            position += count - _chunkLeft[chunk];
        }

        return leftCount;
    }

    private static (int From, int Count) ChunkOf(Leaf leaf, int chunk, int chunks)
    {
        var from = (int)((long)leaf.Count * chunk / chunks);
        var to = (int)((long)leaf.Count * (chunk + 1) / chunks);
        return (leaf.Start + from, to - from);
    }

    /// <summary>
    /// Partitions one chunk without branching on the data: every row is written to both sides and the side it goes to
    /// advances. Left rows end at the front of <paramref name="rows"/>, right rows at the front of
    /// <paramref name="scratch"/>; answers the left count.
    /// </summary>
    private static int PartitionChunk(byte[] column, byte[] goesLeft, Span<int> rows, Span<int> scratch)
    {
        int left = 0, right = 0;
        foreach (var row in rows)
        {
            int side = goesLeft[column[row]];
            rows[left] = row;
            scratch[right] = row;
            left += side;
            right += 1 - side;
        }

        return left;
    }
}
