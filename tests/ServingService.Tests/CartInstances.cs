namespace MlOps.ServingService.Tests;

/// <summary>Instances of the cart-abandonment model's inputs, in the seeds' flat JSON shape.</summary>
internal static class CartInstances
{
    public static Dictionary<string, object?> One(double sessionDuration = 12.5, int pages = 8, double cartValue = 75.2, string timeOfDay = "evening") => new()
    {
        ["session_duration"] = sessionDuration,
        ["pages_visited"] = pages,
        ["cart_value"] = cartValue,
        ["time_of_day"] = timeOfDay,
        ["device_mobile"] = true,
        ["user_returning"] = false,
        ["items_in_cart"] = 3,
    };
}
