namespace MlOps.Learning.Trees;

/// <summary>How a tree grows: at most <paramref name="NumLeaves"/> leaves, and at most <paramref name="MaxDepth"/> levels when set.</summary>
/// <param name="Threads">Workers building histograms (default: every core).</param>
/// <param name="FeaturesPerSplit">
/// When set, each leaf chooses its split among this many features drawn at random (a random forest's sqrt rule).
/// </param>
/// <param name="MaxHistograms">
/// At most this many histograms kept at once (default: one a leaf). Fewer bound the memory (features × 4 KiB each):
/// a leaf whose histogram was given up builds both children's from their rows when it splits, instead of one and a
/// subtraction.
/// </param>
public sealed record TreeOptions(
    int NumLeaves = 31, int? MaxDepth = null, SplitOptions? Split = null, int? Threads = null, int? FeaturesPerSplit = null, int? MaxHistograms = null)
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

    /// <summary>The leaf each histogram slot belongs to, or −1 for a free slot.</summary>
    private readonly int[] _slotOwner;
    private readonly HistogramBuilder _builder;
    private readonly int[] _rows;
    private readonly int[] _scratch;
    private readonly byte[] _goesLeft = new byte[Histogram.SlotsPerFeature];
    private readonly int[] _candidates;

    /// <summary>Zero bins, one a row, into which a sparse feature's entries are written while it partitions a leaf.</summary>
    private readonly byte[]? _sparseColumn;
    private readonly Leaf[] _leaves;
    private readonly int[] _nodeFeatures;
    private readonly double[] _nodeThresholds;
    private readonly bool[] _nodeMissingLeft;
    private readonly int[] _nodeLeft;
    private readonly int[] _nodeRight;
    private readonly double[] _nodeGains;
    private readonly BinSet[] _nodeCategories;
    private readonly bool[]? _categorical;
    private readonly bool[] _leafMask;
    private readonly int[] _chunkLeft;
    private readonly ParallelOptions _parallel;

    /// <summary>The last tree's leaves (0 before the first).</summary>
    private int _leafCount;

    /// <summary>Below this many rows a chunk, a leaf is partitioned in fewer chunks.</summary>
    private const int MinRowsPerPartitionChunk = 32_768;

    public TreeGrower(BinnedFeatures features, TreeOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.NumLeaves, 2);
        _features = features;
        _options = options;
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxHistograms ?? 2, 2, nameof(options));
        var slotCounts = features.SlotCounts;
        _histograms = new Histogram[Math.Min(options.NumLeaves, options.MaxHistograms ?? options.NumLeaves)];
        _slotOwner = new int[_histograms.Length];
        for (var i = 0; i < _histograms.Length; i++)
        {
            _histograms[i] = new Histogram(features.FeatureCount, slotCounts);
        }

        _builder = new HistogramBuilder(features.FeatureCount, options.ThreadsOrDefault, slotCounts);
        _rows = new int[features.RowCount];
        _scratch = new int[features.RowCount];
        _chunkLeft = new int[options.ThreadsOrDefault];
        _candidates = new int[features.FeatureCount];
        if (features.Sparse is not null)
        {
            _sparseColumn = new byte[features.RowCount];
            Array.Fill(_sparseColumn, SparseFeatures.ZeroBin);
        }
        _leaves = new Leaf[options.NumLeaves];
        _nodeFeatures = new int[options.NumLeaves - 1];
        _nodeThresholds = new double[options.NumLeaves - 1];
        _nodeMissingLeft = new bool[options.NumLeaves - 1];
        _nodeLeft = new int[options.NumLeaves - 1];
        _nodeRight = new int[options.NumLeaves - 1];
        _nodeGains = new double[options.NumLeaves - 1];
        _nodeCategories = new BinSet[options.NumLeaves - 1];
        _categorical = Enumerable.Range(0, features.FeatureCount).Any(features.IsCategorical)
            ? [.. Enumerable.Range(0, features.FeatureCount).Select(features.IsCategorical)]
            : null;
        _leafMask = new bool[features.FeatureCount];
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = options.ThreadsOrDefault };
    }

    /// <summary>
    /// One leaf while the tree grows: its rows' segment, its histogram slot, its depth, its sums, its best split, and
    /// where it hangs (the internal node and which side, or −1 for the root). A value in the grower's own array, so
    /// growing allocates nothing a node.
    /// </summary>
    private struct Leaf
    {
        public int Start;
        public int Count;
        public int HistogramSlot;
        public int Depth;
        public double Gradient;
        public double Hessian;
        public Split? Split;
        public int Parent;
        public bool IsLeft;
    }

    /// <summary>
    /// A tree for these gradients and hessians (one pair a row); leaf values are −T(G)/(H + λ). Until the next tree,
    /// <see cref="RowsOf"/> answers each leaf's rows as the growth partitioned them (no tree walk).
    /// </summary>
    /// <param name="rowSubset">When given, the tree is grown from these rows only (bagging).</param>
    /// <param name="featureMask">When given, only the features marked true may split (column subsampling).</param>
    /// <param name="random">Draws each leaf's features when <see cref="TreeOptions.FeaturesPerSplit"/> is set.</param>
    public DecisionTree Grow(GradientPair[] statistics, int[]? rowSubset = null, bool[]? featureMask = null, Random? random = null)
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

        var leaves = _leaves;
        var leafCount = 1;
        Array.Fill(_slotOwner, -1);
        _slotOwner[0] = 0;
        _builder.Build(_histograms[0], _features, statistics, rowSubset is null ? null : _rows, 0, rootCount);
        var (gradient, hessian) = _histograms[0].Total();
        leaves[0] = new Leaf { Start = 0, Count = rootCount, HistogramSlot = 0, Depth = 0, Gradient = gradient, Hessian = hessian, Parent = -1 };
        leaves[0].Split = CanSplit(leaves[0]) ? SplitFinder.FindBest(_histograms[0], rootCount, split, FeaturesFor(featureMask, random), _categorical) : null;

        var nodes = 0;
        while (leafCount < _options.NumLeaves)
        {
            var best = -1;
            for (var i = 0; i < leafCount; i++)
            {
                if (leaves[i].Split is { } candidate && (best < 0 || candidate.Gain > leaves[best].Split!.Value.Gain))
                {
                    best = i;
                }
            }

            if (best < 0)
            {
                break;
            }

            var parent = leaves[best];
            var chosen = parent.Split!.Value;
            var node = nodes++;
            _nodeFeatures[node] = chosen.Feature;
            _nodeThresholds[node] = chosen.IsCategorical ? 0 : _features.Bins[chosen.Feature].UpperBounds[chosen.ThresholdBin - 1];
            _nodeCategories[node] = chosen.IsCategorical ? CodesOf(chosen.LeftBins) : default;
            _nodeMissingLeft[node] = chosen.MissingGoesLeft;
            _nodeGains[node] = chosen.Gain;
            if (parent.Parent >= 0)
            {
                (parent.IsLeft ? _nodeLeft : _nodeRight)[parent.Parent] = node;
            }

            var leftCount = Partition(parent, chosen);
            var rightCount = parent.Count - leftCount;

            // The smaller child's histogram from its rows into a free slot, the larger's what remains of the parent's; or,
            // when the parent's histogram was given up for another leaf's, both children's from their rows.
            var leftIsSmaller = leftCount <= rightCount;
            int leftSlot, rightSlot;
            if (parent.HistogramSlot >= 0)
            {
                var freeSlot = AcquireSlot(best);
                (leftSlot, rightSlot) = leftIsSmaller ? (freeSlot, parent.HistogramSlot) : (parent.HistogramSlot, freeSlot);
                _builder.Build(_histograms[freeSlot], _features, statistics, _rows, leftIsSmaller ? parent.Start : parent.Start + leftCount, leftIsSmaller ? leftCount : rightCount);
                _histograms[parent.HistogramSlot].Subtract(_histograms[freeSlot]);
            }
            else
            {
                leftSlot = AcquireSlot(best);
                _slotOwner[leftSlot] = best;
                rightSlot = AcquireSlot(best);
                _builder.Build(_histograms[leftSlot], _features, statistics, _rows, parent.Start, leftCount);
                _builder.Build(_histograms[rightSlot], _features, statistics, _rows, parent.Start + leftCount, rightCount);
            }

            _slotOwner[leftSlot] = best;
            _slotOwner[rightSlot] = leafCount;
            leaves[best] = new Leaf
            {
                Start = parent.Start, Count = leftCount, HistogramSlot = leftSlot, Depth = parent.Depth + 1,
                Gradient = chosen.LeftGradient, Hessian = chosen.LeftHessian, Parent = node, IsLeft = true,
            };
            leaves[leafCount] = new Leaf
            {
                Start = parent.Start + leftCount, Count = rightCount, HistogramSlot = rightSlot, Depth = parent.Depth + 1,
                Gradient = chosen.RightGradient, Hessian = chosen.RightHessian, Parent = node, IsLeft = false,
            };
            leaves[best].Split = CanSplit(leaves[best]) ? SplitFinder.FindBest(_histograms[leftSlot], leftCount, split, FeaturesFor(featureMask, random), _categorical) : null;
            leaves[leafCount].Split = CanSplit(leaves[leafCount]) ? SplitFinder.FindBest(_histograms[rightSlot], rightCount, split, FeaturesFor(featureMask, random), _categorical) : null;
            leafCount++;
        }

        var leafValues = new double[leafCount];
        for (var i = 0; i < leafCount; i++)
        {
            leafValues[i] = SplitFinder.LeafValue(leaves[i].Gradient, leaves[i].Hessian, split);
            if (leaves[i].Parent >= 0)
            {
                (leaves[i].IsLeft ? _nodeLeft : _nodeRight)[leaves[i].Parent] = ~i;
            }
        }

        _leafCount = leafCount;
        return new DecisionTree(
            _nodeFeatures[..nodes], _nodeThresholds[..nodes], _nodeMissingLeft[..nodes], _nodeLeft[..nodes], _nodeRight[..nodes], leafValues, _nodeGains[..nodes], _categorical is null ? null : _nodeCategories[..nodes]);
    }

    /// <summary>The rows of the last tree's leaf <paramref name="leaf"/>, ascending; valid until the next tree grows.</summary>
    public ReadOnlySpan<int> RowsOf(int leaf)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(leaf);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(leaf, _leafCount);
        return _rows.AsSpan(_leaves[leaf].Start, _leaves[leaf].Count);
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

    /// <summary>
    /// A histogram slot for a new child: a free one, or the one of the leaf least likely to split soon (no split, then
    /// the smallest gain), which gives it up; never <paramref name="keep"/>'s.
    /// </summary>
    private int AcquireSlot(int keep)
    {
        var victim = -1;
        var victimGain = double.PositiveInfinity;
        for (var slot = 0; slot < _slotOwner.Length; slot++)
        {
            var owner = _slotOwner[slot];
            if (owner < 0)
            {
                return slot;
            }

            if (owner == keep)
            {
                continue;
            }

            var gain = _leaves[owner].Split is { } split ? split.Gain : double.NegativeInfinity;
            if (victim < 0 || gain < victimGain)
            {
                (victim, victimGain) = (slot, gain);
            }
        }

        _leaves[_slotOwner[victim]].HistogramSlot = -1;
        _slotOwner[victim] = -1;
        return victim;
    }

    /// <summary>A categorical split's bins as the codes they hold (bin c + 1 holds code c).</summary>
    private static BinSet CodesOf(BinSet bins)
    {
        var codes = default(BinSet);
        for (var bin = 1; bin < Histogram.SlotsPerFeature; bin++)
        {
            if (bins.Contains(bin))
            {
                codes = codes.With(bin - 1);
            }
        }

        return codes;
    }

    private bool CanSplit(in Leaf leaf) => _options.MaxDepth is not { } depth || leaf.Depth < depth;

    /// <summary>
    /// Moves the leaf's rows that go left to the front of its segment, the others after them, each side in its former
    /// order (so a leaf's rows stay ascending); answers how many went left. Large segments are cut into one chunk a
    /// worker, each partitioned on its own, then put together.
    /// </summary>
    private int Partition(in Leaf leaf, in Split split)
    {
        var (segmentStart, segmentCount) = (leaf.Start, leaf.Count);
        var goesLeft = _goesLeft;
        goesLeft[NumericBins.MissingBin] = split.MissingGoesLeft ? (byte)1 : (byte)0;
        for (var bin = 1; bin < goesLeft.Length; bin++)
        {
            goesLeft[bin] = (split.IsCategorical ? split.LeftBins.Contains(bin) : bin <= split.ThresholdBin) ? (byte)1 : (byte)0;
        }

        var column = split.Feature < _features.DenseCount ? _features.ColumnArray(split.Feature) : SparseColumn(split.Feature - _features.DenseCount, set: true);
        try
        {
            return PartitionColumn(column, goesLeft, segmentStart, segmentCount);
        }
        finally
        {
            if (split.Feature >= _features.DenseCount)
            {
                SparseColumn(split.Feature - _features.DenseCount, set: false);
            }
        }
    }

    /// <summary>
    /// A sparse feature as a whole byte column, for a partition: its rows' bins written into a column of zero bins kept
    /// for the purpose (<paramref name="set"/>), or put back to zero afterwards; either costs the feature's entries.
    /// </summary>
    private byte[] SparseColumn(int feature, bool set)
    {
        var sparse = _features.Sparse!;
        var column = _sparseColumn!;
        for (var entry = sparse.FeatureStarts[feature]; entry < sparse.FeatureStarts[feature + 1]; entry++)
        {
            column[sparse.FeatureRows[entry]] = set ? sparse.FeatureBins[entry] : SparseFeatures.ZeroBin;
        }

        return column;
    }

    private int PartitionColumn(byte[] column, byte[] goesLeft, int segmentStart, int segmentCount)
    {
        var chunks = Math.Clamp(segmentCount / MinRowsPerPartitionChunk, 1, _chunkLeft.Length);
        if (chunks == 1)
        {
            var left = PartitionChunk(column, goesLeft, _rows.AsSpan(segmentStart, segmentCount), _scratch.AsSpan(segmentStart, segmentCount));
            _scratch.AsSpan(segmentStart, segmentCount - left).CopyTo(_rows.AsSpan(segmentStart + left));
            return left;
        }

        Parallel.For(0, chunks, _parallel, chunk =>
        {
            var (from, count) = ChunkOf(segmentStart, segmentCount, chunk, chunks);
            _chunkLeft[chunk] = PartitionChunk(column, goesLeft, _rows.AsSpan(from, count), _scratch.AsSpan(from, count));
        });

        // Every chunk's left rows in chunk order (each moves towards the front, which a span copy allows), then every
        // chunk's right rows from the scratch space.
        var position = segmentStart;
        for (var chunk = 0; chunk < chunks; chunk++)
        {
            var (from, _) = ChunkOf(segmentStart, segmentCount, chunk, chunks);
            _rows.AsSpan(from, _chunkLeft[chunk]).CopyTo(_rows.AsSpan(position));
            position += _chunkLeft[chunk];
        }

        var leftCount = position - segmentStart;
        for (var chunk = 0; chunk < chunks; chunk++)
        {
            var (from, count) = ChunkOf(segmentStart, segmentCount, chunk, chunks);
            _scratch.AsSpan(from, count - _chunkLeft[chunk]).CopyTo(_rows.AsSpan(position));
            position += count - _chunkLeft[chunk];
        }

        return leftCount;
    }

    private static (int From, int Count) ChunkOf(int start, int count, int chunk, int chunks)
    {
        var from = (int)((long)count * chunk / chunks);
        var to = (int)((long)count * (chunk + 1) / chunks);
        return (start + from, to - from);
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
