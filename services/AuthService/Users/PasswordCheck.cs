using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using MlOps.AuthService.Tokens;

namespace MlOps.AuthService.Users;

/// <summary>
/// Checks a user name and password for the password grant and the sign-in page alike. Failed sign-ins are counted per
/// name and per address and lead to locks (<see cref="LoginThrottle"/>); every failure gets the same answer at the same
/// cost, so it does not reveal whether the user exists or is locked.
/// </summary>
internal sealed class PasswordCheck(
    UserManager<User> users,
    LoginThrottle throttle,
    IPasswordHasher<User> passwords,
    IOptions<LoginThrottleOptions> lockout)
{
    public const string Failed = "The user name or password is incorrect, or the account is temporarily locked.";

    private static readonly User Decoy = new()
    {
        UserName = string.Empty,
        PasswordHash = new PasswordHasher<User>().HashPassword(null!, Secrets.New()),
    };

    /// <summary>The user, or null when the sign-in fails for any reason (the caller answers <see cref="Failed"/>).</summary>
    public async Task<User?> CheckAsync(string? userName, string? password, string? address, CancellationToken cancellationToken)
    {
        userName ??= string.Empty;
        var normalized = users.NormalizeName(userName) ?? userName;
        var userKey = LoginThrottle.UserKey(normalized);
        var addressKey = LoginThrottle.AddressKey(address);

        // The password is checked even when the name or the address is locked, so that a locked attempt costs what any
        // other does: the time of an answer must not tell that a lock is on.
        var user = await users.FindByNameAsync(userName);
        var verdict = passwords.VerifyHashedPassword(user ?? Decoy, (user ?? Decoy).PasswordHash ?? Decoy.PasswordHash!, password ?? string.Empty);
        if (await throttle.IsLockedAsync([userKey, addressKey], cancellationToken))
        {
            return null;
        }

        if (user is null || user.Disabled || verdict == PasswordVerificationResult.Failed)
        {
            await throttle.RecordFailureAsync(userKey, lockout.Value.MaxFailuresPerUser, cancellationToken);
            await throttle.RecordFailureAsync(addressKey, lockout.Value.MaxFailuresPerAddress, cancellationToken);
            return null;
        }

        await throttle.ResetAsync(userKey, cancellationToken);
        return user;
    }
}
