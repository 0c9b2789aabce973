using System.Numerics;

namespace MlOps.Learning.Trees;

/// <summary>A set of bins (0 to 255) as 256 bits: the categories a categorical split sends left. A value; no allocation.</summary>
public readonly record struct BinSet(ulong Bits0, ulong Bits1, ulong Bits2, ulong Bits3)
{
    public bool Contains(int bin) => (uint)bin < 256 && ((Word(bin >> 6) >> (bin & 63)) & 1) != 0;

    public BinSet With(int bin)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)bin, 255u, nameof(bin));
        var bit = 1UL << (bin & 63);
        return (bin >> 6) switch
        {
            0 => this with { Bits0 = Bits0 | bit },
            1 => this with { Bits1 = Bits1 | bit },
            2 => this with { Bits2 = Bits2 | bit },
            _ => this with { Bits3 = Bits3 | bit },
        };
    }

    public int Count => BitOperations.PopCount(Bits0) + BitOperations.PopCount(Bits1) + BitOperations.PopCount(Bits2) + BitOperations.PopCount(Bits3);

    /// <summary>The bins in the set, ascending.</summary>
    public IEnumerable<int> Bins()
    {
        for (var bin = 0; bin < 256; bin++)
        {
            if (Contains(bin))
            {
                yield return bin;
            }
        }
    }

    private ulong Word(int index) => index switch
    {
        0 => Bits0,
        1 => Bits1,
        2 => Bits2,
        _ => Bits3,
    };
}
