using System.Globalization;

namespace MlOps.OnnxTestModels;

/// <summary>A labelled row of the customer data the ML.NET model is trained on: whether a customer bought, from age, income and city.</summary>
public sealed class Customer
{
    public static readonly string[] Cities = ["oslo", "lima", "pune", "kyiv"];

    public float Age { get; set; }

    public float Income { get; set; }

    public string City { get; set; } = string.Empty;

    public bool Label { get; set; }

    public static Customer Random(Random random)
    {
        var age = (float)(18 + (random.NextDouble() * 60));
        var income = (float)(20 + (random.NextDouble() * 90));
        var city = Cities[random.Next(Cities.Length)];
        return new Customer { Age = age, Income = income, City = city, Label = (age / 30) - (income / 50) + (city == "lima" ? 0.8 : 0) + random.NextDouble() - 0.5 > 0.3 };
    }

    public static Customer[] Many(int count, int seed)
    {
        var random = new Random(seed);
        var customers = new Customer[count];
        for (var i = 0; i < count; i++)
        {
            customers[i] = Random(random);
        }

        return customers;
    }

    /// <summary>The row as one instance of a prediction request: its inputs by name, without the label.</summary>
    public Dictionary<string, object> AsInstance() => new()
    {
        ["Age"] = Age,
        ["Income"] = Income,
        ["City"] = City,
    };

    /// <summary>The rows as the CSV a dataset version is uploaded as (Age, Income, City, Label).</summary>
    public static string Csv(IEnumerable<Customer> customers) =>
        "Age,Income,City,Label\n" + string.Concat(customers.Select(c =>
            string.Create(CultureInfo.InvariantCulture, $"{c.Age:R},{c.Income:R},{c.City},{(c.Label ? "true" : "false")}\n")));
}
