using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MlOps.Contracts.Registry;
using MlOps.ServiceConventions.Paging;
using MlOps.TestSupport;
using MlOps.TrainerService.Tests.Training;

namespace MlOps.TrainerService.Tests.Registry;

/// <summary>Aliases moved by hand, their history, and the two ways serving learns of a move (ETag and long-poll).</summary>
public sealed class AliasTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private TrainerPlatform _platform = null!;

    public async Task InitializeAsync()
    {
        _platform = await TrainerPlatform.StartAsync(postgres);
        await _platform.GenerateAsync("carts", "cart-abandonment", 500);
        foreach (var _ in Enumerable.Range(0, 2))
        {
            var job = await _platform.WaitForJobAsync((await _platform.SubmitAsync(new { dataset = "carts", target = "abandoned", algorithm = "logistic-regression", model = "m" })).Id);
            Assert.True(job.Status == "succeeded", job.Error);
        }
    }

    public async Task DisposeAsync() => await _platform.DisposeAsync();

    [Fact]
    public async Task An_admin_moves_and_removes_aliases_and_every_move_is_in_the_history()
    {
        using var admin = _platform.Client("mlops.read mlops.admin", subject: "carol");

        using var staging = await admin.PutAsJsonAsync("/api/models/m/aliases/staging", new { version = 1, reason = "try it" });
        using var moved = await admin.PutAsJsonAsync("/api/models/m/aliases/staging", new { version = 2 });
        using var same = await admin.PutAsJsonAsync("/api/models/m/aliases/staging", new { version = 2 });
        var pointed = await admin.GetFromJsonAsync<ModelVersionResponse>("/api/models/m/aliases/staging");
        using var removed = await admin.DeleteAsync("/api/models/m/aliases/staging");
        using var removedAgain = await admin.DeleteAsync("/api/models/m/aliases/staging");
        using var gone = await admin.GetAsync("/api/models/m/aliases/staging");

        Assert.Equal(HttpStatusCode.OK, staging.StatusCode);
        Assert.Equal(1, (await staging.Content.ReadFromJsonAsync<ModelResponse>())!.Aliases["staging"]);
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        Assert.Equal(2, pointed!.Version);
        Assert.Equal(["staging"], pointed.Aliases);
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, removedAgain.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);

        var history = (await admin.GetFromJsonAsync<Page<AliasMove>>("/api/models/m/alias-history?alias=staging"))!;
        Assert.Equal([(2, (int?)null), (1, 2), (null, 1)], history.Items.Select(move => (move.FromVersion, move.ToVersion)));
        Assert.All(history.Items, move => Assert.Equal("carol", move.Actor));
        Assert.Equal(["Removed by hand.", "Moved by hand.", "try it"], history.Items.Select(move => move.Reason));

        var firstPage = (await admin.GetFromJsonAsync<Page<AliasMove>>("/api/models/m/alias-history?alias=staging&limit=2"))!;
        var secondPage = (await admin.GetFromJsonAsync<Page<AliasMove>>($"/api/models/m/alias-history?alias=staging&limit=2&cursor={firstPage.NextCursor}"))!;
        Assert.Equal(history.Items, [.. firstPage.Items, .. secondPage.Items]);
        Assert.Null(secondPage.NextCursor);
    }

    [Fact]
    public async Task Alias_moves_are_refused_without_the_admin_scope_or_with_a_bad_name_or_version()
    {
        using var trainer = _platform.Client("mlops.read mlops.train");
        using var admin = _platform.Client("mlops.admin mlops.read");

        using var forbidden = await trainer.PutAsJsonAsync("/api/models/m/aliases/staging", new { version = 1 });
        using var forbiddenDelete = await trainer.DeleteAsync("/api/models/m/aliases/production");
        using var badName = await admin.PutAsJsonAsync("/api/models/m/aliases/Prod%20uction", new { version = 1 });
        using var noVersion = await admin.PutAsJsonAsync("/api/models/m/aliases/staging", new { reason = "x" });
        using var unknownVersion = await admin.PutAsJsonAsync("/api/models/m/aliases/staging", new { version = 9 });
        using var unknownModel = await admin.PutAsJsonAsync("/api/models/nope/aliases/staging", new { version = 1 });

        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forbiddenDelete.StatusCode);
        Assert.Equal("alias", await ProblemFieldAsync(badName));
        Assert.Equal("version", await ProblemFieldAsync(noVersion));
        Assert.Equal(HttpStatusCode.NotFound, unknownVersion.StatusCode);
        Assert.Contains("no version 9", await unknownVersion.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknownModel.StatusCode);
        Assert.Equal("application/problem+json", unknownModel.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task The_model_etag_answers_not_modified_until_an_alias_moves()
    {
        using var admin = _platform.Client("mlops.read mlops.admin");
        using var first = await admin.GetAsync("/api/models/m");
        var etag = first.Headers.ETag!;

        using var unchanged = await SendAsync(admin, "/api/models/m", etag);
        using (await admin.PutAsJsonAsync("/api/models/m/aliases/canary", new { version = 2 }))
        {
        }

        using var changed = await SendAsync(admin, "/api/models/m", etag);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEqual(etag, changed.Headers.ETag);
        Assert.Equal(2, (await changed.Content.ReadFromJsonAsync<ModelResponse>())!.Aliases["canary"]);
    }

    [Fact]
    public async Task A_long_poll_on_changes_returns_as_soon_as_an_alias_moves_and_times_out_when_nothing_does()
    {
        using var admin = _platform.Client("mlops.read mlops.admin");
        var now = (await admin.GetFromJsonAsync<ModelChanges>("/api/models/changes"))!;
        var quiet = Stopwatch.StartNew();
        var nothing = (await admin.GetFromJsonAsync<ModelChanges>($"/api/models/changes?after={now.Revision}&wait=1"))!;
        quiet.Stop();

        var waiting = admin.GetFromJsonAsync<ModelChanges>($"/api/models/changes?after={now.Revision}&wait=60");
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.False(waiting.IsCompleted);
        var moved = Stopwatch.StartNew();
        using (await admin.PutAsJsonAsync("/api/models/m/aliases/shadow", new { version = 1 }))
        {
        }

        var change = (await waiting)!;
        moved.Stop();

        Assert.Contains(now.Models, model => model.Name == "m");
        Assert.Empty(nothing.Models);
        Assert.Equal(now.Revision, nothing.Revision);
        Assert.True(quiet.Elapsed >= TimeSpan.FromSeconds(0.9), quiet.Elapsed.ToString());
        var model = Assert.Single(change.Models);
        Assert.Equal(("m", 1), (model.Name, model.Aliases["shadow"]));
        Assert.True(change.Revision > now.Revision);
        // A 60-second wait that ended early ended because of the move, not its budget.
        Assert.True(moved.Elapsed < TimeSpan.FromSeconds(30), moved.Elapsed.ToString());

        using var tooLong = await admin.GetAsync("/api/models/changes?wait=61");
        using var negative = await admin.GetAsync("/api/models/changes?after=-1");
        Assert.Equal("wait", await ProblemFieldAsync(tooLong));
        Assert.Equal("after", await ProblemFieldAsync(negative));
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string path, EntityTagHeaderValue etag)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.IfNoneMatch.Add(etag);
        return client.SendAsync(request);
    }

    private static async Task<string> ProblemFieldAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        return Assert.Single(problem.GetProperty("errors").EnumerateObject()).Name;
    }
}
