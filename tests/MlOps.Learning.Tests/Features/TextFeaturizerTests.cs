using MlOps.Learning.Data;
using MlOps.Learning.Features;

namespace MlOps.Learning.Tests.Features;

public sealed class TextFeaturizerTests
{
    [Fact]
    public void Tfidf_vectors_equal_scikit_learns_hashing_vectorizer_and_tfidf_transformer()
    {
        var expected = Fixture.Json("linear/text.json");
        var texts = expected.GetProperty("texts").EnumerateArray().Select(t => (string?)t.GetString()).ToArray();
        var bits = expected.GetProperty("hashBits").GetInt32();
        var table = new DataTable([new TextColumn("review", texts)]);

        var featurizer = Featurizer.Fit(table, new FeaturizerOptions { TextHashBits = bits });
        var text = Assert.IsType<TextFeaturizer>(Assert.Single(featurizer.Columns));
        var matrix = Assert.IsType<SparseFeatureMatrix>(featurizer.Transform(table));

        var idf = Fixture.Doubles(expected.GetProperty("idf"));
        for (var bucket = 0; bucket < idf.Length; bucket++)
        {
            Assert.Equal(idf[bucket], text.Idf[bucket], 12);
        }

        var documents = expected.GetProperty("documents").EnumerateArray().ToArray();
        for (var row = 0; row < texts.Length; row++)
        {
            var expectedIndices = Fixture.Ints(documents[row].GetProperty("indices"));
            var expectedValues = Fixture.Doubles(documents[row].GetProperty("values"));
            var actual = Enumerable.Range(matrix.RowStarts[row], matrix.RowStarts[row + 1] - matrix.RowStarts[row])
                .ToDictionary(k => matrix.Indices[k], k => matrix.Values[k]);
            Assert.Equal(expectedIndices.Length, actual.Count);
            for (var e = 0; e < expectedIndices.Length; e++)
            {
                Assert.True(actual.TryGetValue(expectedIndices[e], out var value), $"row {row}: bucket {expectedIndices[e]} missing");
                Assert.Equal(expectedValues[e], value, 12);
            }
        }
    }

    [Fact]
    public void Each_document_vector_has_unit_length_and_an_empty_text_has_none()
    {
        var table = new DataTable([new TextColumn("review", ["red fruit and oak", "", null, "oak"])]);
        var featurizer = Featurizer.Fit(table, new FeaturizerOptions { TextHashBits = 12 });
        var matrix = (SparseFeatureMatrix)featurizer.Transform(table);

        double Norm(int row) => Math.Sqrt(Enumerable.Range(matrix.RowStarts[row], matrix.RowStarts[row + 1] - matrix.RowStarts[row])
            .Sum(k => matrix.Values[k] * matrix.Values[k]));

        Assert.Equal(1.0, Norm(0), 12);
        Assert.Equal(1.0, Norm(3), 12);
        Assert.Equal(0, matrix.RowStarts[2] - matrix.RowStarts[1]);
        Assert.Equal(0, matrix.RowStarts[3] - matrix.RowStarts[2]);
    }
}
