namespace MlOps.TestSupport;

/// <summary>Waits on a condition with a deadline instead of sleeping a fixed time.</summary>
public static class Eventually
{
    public static async Task<T> ReturnsAsync<T>(
        Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what} did not happen within {timeout.TotalSeconds:0} s; last value: {value}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds (60 s unless told).</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, string what = "The condition", TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what} did not happen within {(timeout ?? TimeSpan.FromSeconds(60)).TotalSeconds:0} s.");
            }

            await Task.Delay(100);
        }
    }

    public static Task HoldsAsync(Func<bool> condition, string what = "The condition", TimeSpan? timeout = null) =>
        HoldsAsync(() => Task.FromResult(condition()), what, timeout);
}
