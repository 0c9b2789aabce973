namespace MlOps.ServingService.Predictions;

/// <summary>
/// Prediction ids: UUIDv7 (RFC 9562) that increase strictly within a replica, so the inference log sorts by id in the
/// order predictions were made, batches included. The 48-bit millisecond timestamp is followed by a 42-bit counter
/// that restarts each millisecond (RFC 9562 §6.2, method 1; a clock that stands still or steps back keeps counting
/// from the last id) and 32 random bits.
/// </summary>
public sealed class PredictionIds(TimeProvider time)
{
    private const long MaxCounter = (1L << 42) - 1;

    private readonly Lock _gate = new();
    private long _lastMilliseconds;
    private long _counter;

    public Guid Next()
    {
        long milliseconds;
        long counter;
        lock (_gate)
        {
            milliseconds = time.GetUtcNow().ToUnixTimeMilliseconds();
            if (milliseconds > _lastMilliseconds)
            {
                _lastMilliseconds = milliseconds;
                _counter = 0;
            }
            else if (++_counter > MaxCounter)
            {
                _lastMilliseconds++;
                _counter = 0;
            }

            milliseconds = _lastMilliseconds;
            counter = _counter;
        }

        Span<byte> bytes = stackalloc byte[16];
        bytes[0] = (byte)(milliseconds >> 40);
        bytes[1] = (byte)(milliseconds >> 32);
        bytes[2] = (byte)(milliseconds >> 24);
        bytes[3] = (byte)(milliseconds >> 16);
        bytes[4] = (byte)(milliseconds >> 8);
        bytes[5] = (byte)milliseconds;
        bytes[6] = (byte)(0x70 | ((counter >> 38) & 0x0F));
        bytes[7] = (byte)(counter >> 30);
        bytes[8] = (byte)(0x80 | ((counter >> 24) & 0x3F));
        bytes[9] = (byte)(counter >> 16);
        bytes[10] = (byte)(counter >> 8);
        bytes[11] = (byte)counter;
        Random.Shared.NextBytes(bytes[12..]);
        return new Guid(bytes, bigEndian: true);
    }
}
