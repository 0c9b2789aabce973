using Microsoft.ML;
using Microsoft.ML.Data;
using MlOps.Contracts.Registry;

namespace MlOps.OnnxTestModels;

/// <summary>ML.NET models made outside the platform, saved as ML.NET saves them (<c>mlContext.Model.Save</c>).</summary>
public static class ExternalMlNetModels
{
    /// <summary>ML.NET's logistic regression on the customers, saved with its training schema (Age, Income, City, Label).</summary>
    public static byte[] CustomerZip(int seed = 1)
    {
        var ml = new MLContext(seed: seed);
        var training = ml.Data.LoadFromEnumerable(Customer.Many(2_000, seed));
        return Saved(ml, ExternalOnnxModels.TrainMlNet(ml, Customer.Many(2_000, seed)), training.Schema);
    }

    /// <summary>Logistic regression on a feature vector (Age, Income in that order) predicting whether a customer bought.</summary>
    public static byte[] VectorZip(int seed = 1)
    {
        var ml = new MLContext(seed: seed);
        var rows = Customer.Many(2_000, seed).Select(c => new VectorCustomer { Features = [c.Age, c.Income], Label = c.Label });
        var training = ml.Data.LoadFromEnumerable(rows);
        var model = ml.BinaryClassification.Trainers.LbfgsLogisticRegression().Fit(training);
        return Saved(ml, model, training.Schema);
    }

    /// <summary>SDCA's maximum entropy predicting the city from age and income: a multiclass model whose keys name the cities.</summary>
    public static byte[] CityZip(int seed = 1)
    {
        var ml = new MLContext(seed: seed);
        var training = ml.Data.LoadFromEnumerable(Customer.Many(2_000, seed));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("CityKey", nameof(Customer.City))
            .Append(ml.Transforms.Concatenate("Features", nameof(Customer.Age), nameof(Customer.Income)))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy("CityKey"))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        return Saved(ml, pipeline.Fit(training), training.Schema);
    }

    /// <summary>A model whose saved schema has a column no dataset column feeds: a date.</summary>
    public static byte[] DatedZip(int seed = 1)
    {
        var ml = new MLContext(seed: seed);
        var rows = Customer.Many(500, seed).Select(c => new DatedCustomer { Age = c.Age, Seen = new DateTime(2026, 1, 1), Label = c.Label });
        var training = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.Concatenate("Features", nameof(DatedCustomer.Age))
            .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression())
            .Fit(training);
        return Saved(ml, model, training.Schema);
    }

    /// <summary>How the customer model is read: the target and the dataset to evaluate on; ML.NET's schema gives the rest.</summary>
    public static ModelDescriptor CustomerDescriptor(string dataset, int? version = null) =>
        new(null, nameof(Customer.Label), null, null, EvaluateOn: new DatasetVersionSelector(dataset, version));

    private static byte[] Saved(MLContext ml, ITransformer model, DataViewSchema schema)
    {
        using var file = new MemoryStream();
        ml.Model.Save(model, schema, file);
        return file.ToArray();
    }

    /// <summary>A customer as one feature vector.</summary>
    public sealed class VectorCustomer
    {
        [VectorType(2)]
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }

    /// <summary>A customer with a date.</summary>
    public sealed class DatedCustomer
    {
        public float Age { get; set; }

        public DateTime Seen { get; set; }

        public bool Label { get; set; }
    }
}
