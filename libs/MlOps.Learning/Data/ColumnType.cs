namespace MlOps.Learning.Data;

/// <summary>What a column holds, which decides how it is stored, profiled and featurized.</summary>
public enum ColumnType
{
    /// <summary>Numbers, stored as <c>double</c> with a missing mask.</summary>
    Numeric,

    /// <summary>A small set of repeated values, dictionary-encoded as integer codes.</summary>
    Categorical,

    /// <summary>Free text (descriptions, reviews): many distinct values, usually several words.</summary>
    Text,

    /// <summary><c>true</c>/<c>false</c> (a column declared Boolean also takes <c>yes</c>/<c>no</c> and <c>1</c>/<c>0</c>).</summary>
    Boolean,

    /// <summary>
    /// Pictures: each value names an image file inside the dataset's archive (a zip of one CSV and its images), by a
    /// path relative to the CSV. Only an archive has image columns; see <see cref="DatasetArchive"/>.
    /// </summary>
    Image,
}
