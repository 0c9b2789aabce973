using MlOps.ServiceConventions.Paging;

namespace MlOps.ServiceConventions.Tests;

public sealed class PagingTests
{
    [Fact]
    public void A_cursor_round_trips_any_key_and_the_limit_defaults_to_50()
    {
        var cursor = Pages.EncodeCursor("ADMIN/ü+é?");

        var (page, errors) = Pages.Read(null, cursor);

        Assert.Null(errors);
        Assert.Equal(new PageRequest(50, "ADMIN/ü+é?"), page);
        Assert.DoesNotContain('/', cursor);
        Assert.DoesNotContain('+', cursor);
    }

    [Theory]
    [InlineData(0, null, "limit")]
    [InlineData(201, null, "limit")]
    [InlineData(10, "not base64!", "cursor")]
    public void A_bad_limit_or_cursor_is_named(int limit, string? cursor, string field)
    {
        var (page, errors) = Pages.Read(limit, cursor);

        Assert.Null(page);
        Assert.True(errors!.ContainsKey(field));
    }
}
