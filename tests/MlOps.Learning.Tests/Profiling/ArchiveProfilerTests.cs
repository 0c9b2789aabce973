using MlOps.Contracts.Datasets;
using MlOps.Images;
using MlOps.Learning.Data;
using MlOps.Learning.Profiling;
using SkiaSharp;
using static MlOps.Learning.Tests.Profiling.TestArchive;

namespace MlOps.Learning.Tests.Profiling;

public class ArchiveProfilerTests
{
    private static DatasetProfile Profile(MemoryStream zip, BadImagePolicy badImages = BadImagePolicy.Refuse, ArchiveLimits? limits = null)
    {
        using var archive = DatasetArchive.Open(zip, limits ?? new ArchiveLimits());
        return ArchiveProfiler.Profile(archive, badImages);
    }

    private static string Refused(MemoryStream zip, BadImagePolicy badImages = BadImagePolicy.Refuse, ArchiveLimits? limits = null) =>
        Assert.Throws<DataException>(() => Profile(zip, badImages, limits)).Message;

    [Fact]
    public void An_image_column_is_typed_image_and_summarized_by_format_and_size()
    {
        using var zip = Zip(
            Csv("shop/products.csv", "title,photo,price\nred mug,pics/a.png,3.5\nblue mug,pics/b.jpg,4\nred mug again,pics/a.png,3.5\nno photo,,2\n"),
            ("shop/pics/a.png", Picture(40, 30)),
            ("shop/pics/b.jpg", Picture(64, 48, SKEncodedImageFormat.Jpeg)),
            ("shop/pics/unused.png", Picture(8, 8)));

        var profile = Profile(zip);

        Assert.Equal(4, profile.Rows);
        Assert.Equal(["categorical", "image", "numeric"], profile.Columns.Select(c => c.Type));
        var photo = profile.Columns[1];
        Assert.Equal(1, photo.Missing);
        Assert.Equal(2, photo.Distinct);
        var images = photo.Image!;
        Assert.Equal(3, images.Decoded);
        Assert.Equal([new CategoryCount("png", 2), new CategoryCount("jpeg", 1)], images.Formats);
        Assert.Equal((40, 64), (images.Width!.Min, images.Width.Max));
        Assert.Equal((30, 48), (images.Height!.Min, images.Height.Max));
        Assert.Equal(0, images.Failed);
        Assert.Null(profile.Columns[0].Image);
    }

    [Fact]
    public void Image_file_names_in_a_plain_csv_are_not_images()
    {
        var profile = CsvProfiler.Profile(new MemoryStream("photo\na.png\nb.png\n"u8.ToArray()));

        Assert.Equal("categorical", profile.Columns[0].Type);
        Assert.Null(profile.Columns[0].Image);
    }

    [Theory]
    [InlineData("../secret.png", "is a path that leaves the archive")]
    [InlineData("/etc/passwd.png", "is a path that leaves the archive")]
    [InlineData("pics/../../up.png", "is a path that leaves the archive")]
    [InlineData("pics/missing.png", "names a file the archive does not hold")]
    public void A_value_naming_no_file_inside_the_archive_is_refused_with_its_line_and_column(string value, string problem)
    {
        using var zip = Zip(Csv("data.csv", $"photo\npics/a.png\n{value}\n"), ("pics/a.png", Picture(4, 4)));

        Assert.Equal($"Line 3, column 'photo': '{value}' {problem}.", Refused(zip));
    }

    [Fact]
    public void Paths_may_use_backslashes_and_dots_that_stay_inside()
    {
        using var zip = Zip(Csv("data.csv", "photo\npics\\a.png\n./pics/x/../a.png\n"), ("pics/a.png", Picture(4, 4)));

        Assert.Equal(2, Profile(zip).Columns[0].Image!.Decoded);
    }

    [Theory]
    [InlineData("../evil.png")]
    [InlineData("/abs/evil.png")]
    [InlineData("C:/evil.png")]
    [InlineData("a/../../evil.png")]
    public void An_entry_whose_path_leaves_the_archive_is_refused_before_anything_is_read(string entry)
    {
        using var zip = Zip(Csv("data.csv", "x\n1\n"), (entry, Picture(4, 4)));

        var message = Assert.Throws<DataException>(() => DatasetArchive.Open(zip, new ArchiveLimits())).Message;

        Assert.Equal($"The archive entry '{entry}' has a path that leaves the archive (absolute, '..' or a drive): every path must stay inside it.", message);
    }

    [Fact]
    public void A_damaged_image_is_refused_naming_its_line_and_file_or_kept_as_missing_when_asked()
    {
        var png = Picture(50, 50);
        var csv = Csv("data.csv", "photo,n\ngood.png,1\ncut.png,2\ntext.png,3\n");
        MemoryStream Archive() => Zip(csv, ("good.png", png), ("cut.png", png[..(png.Length / 2)]), ("text.png", "not a picture"u8.ToArray()));

        using (var zip = Archive())
        {
            Assert.Equal(
                "Line 3, column 'photo': the image 'cut.png' cannot be used: The PNG image is truncated. " +
                "Replace it, or upload with badImages=missing to keep such images as missing values.",
                Refused(zip));
        }

        using (var zip = Archive())
        {
            var images = Profile(zip, BadImagePolicy.Missing).Columns[0].Image!;
            Assert.Equal(1, images.Decoded);
            Assert.Equal(2, images.Failed);
            Assert.Equal(
                [
                    new ImageFailure(3, "cut.png", "The PNG image is truncated."),
                    new ImageFailure(4, "text.png", "The bytes are not an image in a format we decode (PNG, JPEG, GIF, BMP, WebP)."),
                ],
                images.Failures);
        }
    }

    [Fact]
    public void An_image_over_the_size_limits_is_refused()
    {
        var limits = new ArchiveLimits { Images = new ImageLimits(MaxBytes: 100_000, MaxSide: 64) };
        using var zip = Zip(Csv("data.csv", "photo\nbig.png\n"), ("big.png", Picture(65, 10)));

        Assert.Contains("the image 'big.png' cannot be used: The image is 65×10 pixels; each side may have at most 64.", Refused(zip, limits: limits));
    }

    [Fact]
    public void Archives_that_break_a_rule_are_refused_saying_which()
    {
        static string OpenRefused(MemoryStream zip, ArchiveLimits? limits = null) =>
            Assert.Throws<DataException>(() => DatasetArchive.Open(zip, limits ?? new ArchiveLimits())).Message;

        Assert.StartsWith("The archive is not a readable zip file", OpenRefused(new MemoryStream("a,b\n1,2\n"u8.ToArray())));
        Assert.StartsWith("The archive is not a readable zip file", OpenRefused(DamagedDirectory(Zip(Csv("a.csv", "x\n1\n"), ("1.png", [1])))));
        Assert.Equal(
            "The archive holds no CSV file: put one .csv file in it, naming the images beside it.",
            OpenRefused(Zip(("a.png", Picture(4, 4)))));
        Assert.Equal(
            "The archive holds 2 CSV files ('a.csv', 'b/c.CSV'); it must hold exactly one.",
            OpenRefused(Zip(Csv("a.csv", "x\n1\n"), Csv("b/c.CSV", "x\n1\n"))));
        Assert.Equal(
            "The archive holds 3 entries; at most 2 are accepted.",
            OpenRefused(Zip(Csv("a.csv", "x\n1\n"), ("1.png", [1]), ("2.png", [2])), new ArchiveLimits { MaxEntries = 2 }));
        Assert.Equal(
            "The archive's files take more than 10 bytes uncompressed, the most accepted.",
            OpenRefused(Zip(Csv("a.csv", "x\n1\n"), ("1.png", new byte[8])), new ArchiveLimits { MaxUncompressedBytes = 10 }));
    }

    [Fact]
    public async Task A_stream_that_cannot_seek_is_read_from_a_temporary_copy_deleted_with_the_archive()
    {
        var zip = Zip(Csv("data.csv", "photo\na.png\n"), ("a.png", Picture(4, 4))).ToArray();
        var before = Directory.GetFiles(Path.GetTempPath()).Length;

        using (var archive = await DatasetArchive.OpenAsync(new ForwardOnlyStream(zip), new ArchiveLimits()))
        {
            Assert.Equal(1, ArchiveProfiler.Profile(archive).Columns[0].Image!.Decoded);
        }

        Assert.True(Directory.GetFiles(Path.GetTempPath()).Length <= before);
    }

    /// <summary>The archive with its central directory's first record signature overwritten: the end record still points at it.</summary>
    private static MemoryStream DamagedDirectory(MemoryStream zip)
    {
        var bytes = zip.ToArray();
        var directory = bytes.AsSpan().LastIndexOf("PK\u0001\u0002"u8);
        bytes.AsSpan(directory, 4).Clear();
        return new MemoryStream(bytes);
    }

    private sealed class ForwardOnlyStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    [Fact]
    public void Macos_metadata_and_folders_are_ignored()
    {
        using var zip = Zip(Csv("data.csv", "photo\na.png\n"), ("a.png", Picture(4, 4)), Csv("__MACOSX/._data.csv", "junk"), ("pics/", []));

        Assert.Equal(1, Profile(zip).Columns[0].Image!.Decoded);
    }

    [Fact]
    public void The_csvs_own_errors_name_the_archive_entry()
    {
        using var zip = Zip(Csv("data.csv", "photo\n"));

        Assert.Equal("The file has a header but no data rows: the archive's CSV 'data.csv' has nothing after its header.", Refused(zip));
    }

    [Fact]
    public void The_profile_is_the_same_on_every_read()
    {
        var files = Enumerable.Range(0, 150).Select(i => ($"p/{i}.png", Picture(10 + (i % 30), 10 + (i % 7)))).ToArray();
        var csv = Csv("d.csv", "photo\n" + string.Join('\n', files.Select(f => f.Item1)) + "\n");

        using var first = Zip([csv, .. files]);
        using var second = Zip([csv, .. files]);

        Assert.Equal(
            System.Text.Json.JsonSerializer.Serialize(Profile(first)),
            System.Text.Json.JsonSerializer.Serialize(Profile(second)));
        Assert.Equal(150, Profile(Zip([csv, .. files])).Columns[0].Image!.Decoded);
    }
}
