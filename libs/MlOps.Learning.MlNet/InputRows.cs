using Microsoft.ML;
using Microsoft.ML.Data;
using MlOps.Learning.Features;

namespace MlOps.Learning.MlNet;

/// <summary>
/// Rows of input values (one <see cref="FeatureValue"/> per input) as an ML.NET data view in a model's own input
/// schema: each column filled from one input, from several (a float vector, in order), or left at its default (the
/// label column a saved model's schema keeps, which scoring does not read). Missing numbers are NaN, missing text empty.
/// </summary>
internal sealed class InputRows(DataViewSchema schema, int[][] fills, IReadOnlyList<FeatureValue[]> rows) : IDataView
{
    private readonly int[][] _fills = fills;
    private readonly IReadOnlyList<FeatureValue[]> _rows = rows;

    public bool CanShuffle => false;

    public DataViewSchema Schema => schema;

    public long? GetRowCount() => _rows.Count;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Cursor(this)];

    /// <summary>Whether a column of this type can be filled from inputs (or is one a scorer may leave at its default).</summary>
    public static bool CanFill(DataViewType type) =>
        type == NumberDataViewType.Single || type == NumberDataViewType.Double || type == NumberDataViewType.Int32 || type == NumberDataViewType.Int64
        || type is BooleanDataViewType or TextDataViewType
        || type is VectorDataViewType { ItemType: var item, Size: > 0 } && item == NumberDataViewType.Single;

    private sealed class Cursor(InputRows view) : DataViewRowCursor
    {
        private long _position = -1;

        public override DataViewSchema Schema => view.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        private FeatureValue[] Row => view._rows[(int)_position];

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override bool MoveNext()
        {
            if (_position + 1 < view._rows.Count)
            {
                _position++;
                return true;
            }

            _position = view._rows.Count;
            return false;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            var inputs = view._fills[column.Index];
            if (inputs.Length == 0)
            {
                return (ref TValue value) => value = default!;
            }

            var first = inputs[0];
            Delegate getter = column.Type switch
            {
                VectorDataViewType vector => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
                {
                    var values = new float[vector.Size];
                    for (var i = 0; i < values.Length; i++)
                    {
                        values[i] = (float)Row[inputs[i]].Number;
                    }

                    value = new VBuffer<float>(values.Length, values);
                }),
                BooleanDataViewType => (ValueGetter<bool>)((ref bool value) => value = Row[first].Number > 0.5),
                TextDataViewType => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) =>
                    value = (Row[first].Text ?? (double.IsNaN(Row[first].Number) ? string.Empty : Row[first].Number.ToString(System.Globalization.CultureInfo.InvariantCulture))).AsMemory()),
                _ when column.Type == NumberDataViewType.Double => (ValueGetter<double>)((ref double value) => value = Row[first].Number),
                _ when column.Type == NumberDataViewType.Int32 => (ValueGetter<int>)((ref int value) => value = double.IsNaN(Row[first].Number) ? 0 : (int)Row[first].Number),
                _ when column.Type == NumberDataViewType.Int64 => (ValueGetter<long>)((ref long value) => value = double.IsNaN(Row[first].Number) ? 0 : (long)Row[first].Number),
                _ => (ValueGetter<float>)((ref float value) => value = (float)Row[first].Number),
            };
            return (ValueGetter<TValue>)getter;
        }
    }
}
