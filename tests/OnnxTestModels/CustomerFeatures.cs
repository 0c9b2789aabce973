namespace MlOps.OnnxTestModels;

/// <summary>What the converted ML.NET model takes: the features, no label.</summary>
public sealed class CustomerFeatures
{
    public float Age { get; set; }

    public float Income { get; set; }

    public string City { get; set; } = string.Empty;

    public static CustomerFeatures Of(Customer customer) => new() { Age = customer.Age, Income = customer.Income, City = customer.City };
}
