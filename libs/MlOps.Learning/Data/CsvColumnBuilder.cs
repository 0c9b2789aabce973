using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace MlOps.Learning.Data;

/// <summary>
/// Accumulates one column of a CSV file in a single pass, without keeping a string per row for columns that do not
/// need one. A column starts as numbers (a <c>double</c> and a missing flag per row) and switches to dictionary codes
/// (an <c>int</c> per row plus each distinct value once) at its first value that is not a number. So that the switch
/// keeps values as written, a number that does not print back the same way ("01", "1.50", "1e3") also has its
/// spelling kept on the side; usual data prints back unchanged, so that list stays short.
/// </summary>
internal sealed class CsvColumnBuilder
{
    private const int InitialCapacity = 256;

    private readonly ColumnType? _declared;
    private int _rows;
    private int _present;

    // Number state: used while _codes is null.
    private double[] _numbers = new double[InitialCapacity];
    private bool[] _missing = new bool[InitialCapacity];
    private List<(int Row, string Text)> _respelled = [];

    // Code state.
    private int[]? _codes;
    private List<string> _distinct = [];
    private Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _codeOf;

    public CsvColumnBuilder(string name, ColumnType? declared)
    {
        Name = name;
        _declared = declared;
        if (declared is not null and not ColumnType.Numeric)
        {
            SwitchToCodes();
        }
    }

    public string Name { get; }

    public void AddMissing()
    {
        EnsureCapacity();
        if (_codes is null)
        {
            _numbers[_rows] = double.NaN;
            _missing[_rows] = true;
        }
        else
        {
            _codes[_rows] = CategoricalColumn.MissingCode;
        }

        _rows++;
    }

    /// <summary>Adds a present value; <paramref name="scratch"/> has room for at least one char per byte.</summary>
    public void Add(ReadOnlySpan<byte> utf8, Span<char> scratch, long line)
    {
        if (_codes is null)
        {
            if (TypeInference.TryParseNumber(utf8, out var number))
            {
                AddNumber(number, utf8);
                return;
            }

            if (_declared == ColumnType.Numeric)
            {
                throw new DataException(
                    $"Column '{Name}' is declared Numeric but line {line} has '{Encoding.UTF8.GetString(utf8)}', which is not a number.");
            }

            SwitchToCodes();
        }

        AddText(scratch[..Encoding.UTF8.GetChars(utf8, scratch)], line);
    }

    public DataColumn Build(TypeInferenceOptions inference)
    {
        if (_codes is null)
        {
            return new NumericColumn(Name, Trimmed(_numbers), Trimmed(_missing));
        }

        return (_declared ?? TypeInference.InferFromDistinct(_distinct, _present, inference)) switch
        {
            ColumnType.Boolean => BuildBoolean(_codes),
            ColumnType.Categorical => new CategoricalColumn(Name, Trimmed(_codes), [.. _distinct]),
            ColumnType.Text => new TextColumn(Name, Values(_codes)),
            ColumnType.Image => new ImageColumn(Name, Values(_codes)),
            var type => throw new UnreachableException($"A column of codes cannot be {type}."),
        };
    }

    private void AddNumber(double number, ReadOnlySpan<byte> utf8)
    {
        EnsureCapacity();
        _numbers[_rows] = number;
        _missing[_rows] = false;
        if (!PrintsAs(number, utf8))
        {
            _respelled.Add((_rows, Encoding.UTF8.GetString(utf8)));
        }

        _rows++;
        _present++;
    }

    private void AddText(ReadOnlySpan<char> text, long line)
    {
        if (!_codeOf.TryGetValue(text, out var code))
        {
            var value = new string(text);
            if (_declared == ColumnType.Boolean && !TypeInference.TryParseBoolean(value, declared: true, out _))
            {
                throw new DataException(
                    $"Column '{Name}' is declared Boolean but line {line} has '{value}', which is not true/false, yes/no or 1/0.");
            }

            code = CodeOf(value);
        }

        EnsureCapacity();
        _codes![_rows++] = code;
        _present++;
    }

    /// <summary>Re-encodes the numbers read so far as codes of their text, as written in the file.</summary>
    private void SwitchToCodes()
    {
        _codes = new int[_numbers.Length];
        _codeOf = new Dictionary<string, int>(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        var respelled = 0;
        for (var row = 0; row < _rows; row++)
        {
            if (_missing[row])
            {
                _codes[row] = CategoricalColumn.MissingCode;
                continue;
            }

            var text = respelled < _respelled.Count && _respelled[respelled].Row == row
                ? _respelled[respelled++].Text
                : _numbers[row].ToString(CultureInfo.InvariantCulture);
            _codes[row] = CodeOf(text);
        }

        _numbers = [];
        _missing = [];
        _respelled = [];
    }

    private int CodeOf(string value)
    {
        if (!_codeOf.Dictionary.TryGetValue(value, out var code))
        {
            code = _distinct.Count;
            _distinct.Add(value);
            _codeOf.Dictionary.Add(value, code);
        }

        return code;
    }

    private BooleanColumn BuildBoolean(int[] codes)
    {
        var byCode = new bool[_distinct.Count];
        for (var code = 0; code < byCode.Length; code++)
        {
            TypeInference.TryParseBoolean(_distinct[code], declared: true, out byCode[code]);
        }

        var values = new bool[_rows];
        var missing = new bool[_rows];
        for (var row = 0; row < _rows; row++)
        {
            var code = codes[row];
            missing[row] = code == CategoricalColumn.MissingCode;
            values[row] = code != CategoricalColumn.MissingCode && byCode[code];
        }

        return new BooleanColumn(Name, values, missing);
    }

    private string?[] Values(int[] codes)
    {
        var values = new string?[_rows];
        for (var row = 0; row < _rows; row++)
        {
            var code = codes[row];
            values[row] = code == CategoricalColumn.MissingCode ? null : _distinct[code];
        }

        return values;
    }

    private void EnsureCapacity()
    {
        if (_codes is null)
        {
            if (_rows == _numbers.Length)
            {
                Array.Resize(ref _numbers, _rows * 2);
                Array.Resize(ref _missing, _rows * 2);
            }
        }
        else if (_rows == _codes.Length)
        {
            Array.Resize(ref _codes, _rows * 2);
        }
    }

    private T[] Trimmed<T>(T[] values)
    {
        Array.Resize(ref values, _rows);
        return values;
    }

    /// <summary>Whether the number's shortest round-trip form is exactly the text it was read from.</summary>
    private static bool PrintsAs(double number, ReadOnlySpan<byte> utf8)
    {
        Span<byte> printed = stackalloc byte[32];
        return number.TryFormat(printed, out var written, provider: CultureInfo.InvariantCulture)
            && utf8.SequenceEqual(printed[..written]);
    }
}
