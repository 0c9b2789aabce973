using SkiaSharp;

namespace MlOps.Learning.Generators;

/// <summary>
/// Draws a product's picture: a background, one shape in a colour with a texture over it, and speckle noise, without
/// anti-aliasing (integer rasterization, so the same draws give the same pixels), encoded as PNG. Each category has its
/// own shape, colour and texture; the generator may take any of the three from another
/// category, which is how pictures of different categories overlap. One instance draws many pictures, one at a time.
/// </summary>
internal sealed class ProductPicture : IDisposable
{
    /// <summary>Random draws each picture takes, whatever it looks like (so the rows after it keep their values).</summary>
    public const int Draws = 6 + (2 * Speckles);

    private const int Speckles = 40;

    private static readonly Style[] Styles =
    [
        new(Shape.Box, new SKColor(60, 70, 95), Texture.Grid),          // electronics
        new(Shape.Disc, new SKColor(205, 60, 40), Texture.None),        // kitchen
        new(Shape.Star, new SKColor(240, 195, 30), Texture.Dots),       // toys
        new(Shape.Ring, new SKColor(40, 160, 70), Texture.Stripes),     // sports
        new(Shape.Bottle, new SKColor(230, 120, 180), Texture.None),    // beauty
        new(Shape.Slab, new SKColor(140, 90, 50), Texture.Lines),       // books
        new(Shape.Triangle, new SKColor(110, 140, 40), Texture.Dots),   // garden
        new(Shape.Cluster, new SKColor(40, 170, 180), Texture.Checker), // pets
    ];

    private readonly SKBitmap _bitmap;
    private readonly SKCanvas _canvas;
    private readonly SKPaint _paint = new() { IsAntialias = false, Style = SKPaintStyle.Fill };

    public ProductPicture(int side)
    {
        Side = side;
        _bitmap = new SKBitmap(new SKImageInfo(side, side, SKColorType.Rgba8888, SKAlphaType.Premul));
        _canvas = new SKCanvas(_bitmap);
    }

    public int Side { get; }

    public static int Categories => Styles.Length;

    /// <summary>
    /// The picture of a product whose shape, colour and texture come from the given categories' styles, on
    /// <paramref name="background"/>, every colour scaled by <paramref name="brightness"/> (1: unchanged).
    /// </summary>
    public byte[] Draw(GeneratorRandom random, int shapeOf, int colourOf, int textureOf, SKColor background, double brightness)
    {
        // Every draw is taken first, in a fixed order, so a picture always takes Draws of them.
        var size = 0.45 + (0.3 * random.NextDouble());
        var dx = (random.NextDouble() - 0.5) * 0.24;
        var dy = (random.NextDouble() - 0.5) * 0.24;
        var red = random.NextInt(61) - 30;
        var green = random.NextInt(61) - 30;
        var blue = random.NextInt(61) - 30;

        var baseColour = Styles[colourOf].Colour;
        var colour = Scaled(new SKColor(Channel(baseColour.Red + red), Channel(baseColour.Green + green), Channel(baseColour.Blue + blue)), brightness);
        _canvas.Clear(Scaled(background, brightness));
        var half = (float)(size * Side / 2);
        var centre = new SKPoint((float)((0.5 + dx) * Side), (float)((0.5 + dy) * Side));
        var bounds = new SKRect(centre.X - half, centre.Y - half, centre.X + half, centre.Y + half);

        _canvas.Save();
        using (var outline = Outline(Styles[shapeOf].Shape, bounds))
        {
            _paint.Color = colour;
            _canvas.DrawPath(outline, _paint);
            _canvas.ClipPath(outline, antialias: false);
            _paint.Color = Scaled(new SKColor(Channel(colour.Red - 70), Channel(colour.Green - 70), Channel(colour.Blue - 70)), 1);
            DrawTexture(Styles[textureOf].Texture, bounds);
        }

        _canvas.Restore();
        for (var i = 0; i < Speckles; i++)
        {
            var x = random.NextInt(Side);
            var y = random.NextInt(Side);
            var grey = (byte)(60 + ((x * 7 + y * 13) % 150));
            _paint.Color = new SKColor(grey, grey, grey);
            _canvas.DrawRect(x, y, 2, 2, _paint);
        }

        _canvas.Flush();
        using var image = SKImage.FromBitmap(_bitmap);
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    public void Dispose()
    {
        _paint.Dispose();
        _canvas.Dispose();
        _bitmap.Dispose();
    }

    private static SKPath Outline(Shape shape, SKRect bounds)
    {
        var path = new SKPath();
        var (cx, cy, r) = (bounds.MidX, bounds.MidY, bounds.Width / 2);
        switch (shape)
        {
            case Shape.Box:
                path.AddRoundRect(bounds, r / 5, r / 5);
                break;
            case Shape.Disc:
                path.AddCircle(cx, cy, r);
                break;
            case Shape.Ring:
                path.AddCircle(cx, cy, r);
                path.AddCircle(cx, cy, r * 0.55f, SKPathDirection.CounterClockwise);
                break;
            case Shape.Bottle:
                path.AddRoundRect(new SKRect(cx - (r * 0.4f), cy - (r * 0.5f), cx + (r * 0.4f), bounds.Bottom), r / 6, r / 6);
                path.AddRect(new SKRect(cx - (r * 0.15f), bounds.Top, cx + (r * 0.15f), cy - (r * 0.45f)));
                break;
            case Shape.Slab:
                path.AddRect(new SKRect(bounds.Left, cy - (r * 0.65f), bounds.Right, cy + (r * 0.65f)));
                break;
            case Shape.Triangle:
                path.MoveTo(cx, bounds.Top);
                path.LineTo(bounds.Right, bounds.Bottom);
                path.LineTo(bounds.Left, bounds.Bottom);
                path.Close();
                break;
            case Shape.Star:
                // Ten points alternating between the outer and inner radius: cosines and sines of multiples of 36°.
                ReadOnlySpan<float> cos = [0f, 0.5878f, 0.9511f, 0.9511f, 0.5878f, 0f, -0.5878f, -0.9511f, -0.9511f, -0.5878f];
                ReadOnlySpan<float> sin = [-1f, -0.8090f, -0.3090f, 0.3090f, 0.8090f, 1f, 0.8090f, 0.3090f, -0.3090f, -0.8090f];
                for (var i = 0; i < 10; i++)
                {
                    var radius = i % 2 == 0 ? r : r * 0.45f;
                    var point = new SKPoint(cx + (radius * cos[i]), cy + (radius * sin[i]));
                    if (i == 0)
                    {
                        path.MoveTo(point);
                    }
                    else
                    {
                        path.LineTo(point);
                    }
                }

                path.Close();
                break;
            case Shape.Cluster:
                path.AddCircle(cx, cy + (r * 0.25f), r * 0.55f);
                path.AddCircle(cx - (r * 0.6f), cy - (r * 0.45f), r * 0.28f);
                path.AddCircle(cx, cy - (r * 0.7f), r * 0.28f);
                path.AddCircle(cx + (r * 0.6f), cy - (r * 0.45f), r * 0.28f);
                break;
        }

        return path;
    }

    private void DrawTexture(Texture texture, SKRect bounds)
    {
        var step = Math.Max(4, Side / 16);
        for (var y = bounds.Top; y < bounds.Bottom; y += step)
        {
            for (var x = bounds.Left; x < bounds.Right; x += step)
            {
                var column = (int)((x - bounds.Left) / step);
                var row = (int)((y - bounds.Top) / step);
                switch (texture)
                {
                    case Texture.Grid:
                        _canvas.DrawRect(x, y, step, 1, _paint);
                        _canvas.DrawRect(x, y, 1, step, _paint);
                        break;
                    case Texture.Dots:
                        _canvas.DrawRect(x + (step / 3f), y + (step / 3f), 2, 2, _paint);
                        break;
                    case Texture.Stripes when column % 2 == 0:
                        _canvas.DrawRect(x, y, step / 2f, step, _paint);
                        break;
                    case Texture.Lines when column == 0 && row % 2 == 0:
                        _canvas.DrawRect(bounds.Left, y, bounds.Width, 2, _paint);
                        break;
                    case Texture.Checker when (row + column) % 2 == 0:
                        _canvas.DrawRect(x, y, step, step, _paint);
                        break;
                }
            }
        }
    }

    private static byte Channel(int value) => (byte)Math.Clamp(value, 0, 255);

    private static SKColor Scaled(SKColor colour, double factor) =>
        new(Channel((int)(colour.Red * factor)), Channel((int)(colour.Green * factor)), Channel((int)(colour.Blue * factor)));

    private enum Shape
    {
        Box,
        Disc,
        Star,
        Ring,
        Bottle,
        Slab,
        Triangle,
        Cluster,
    }

    private enum Texture
    {
        None,
        Grid,
        Dots,
        Stripes,
        Lines,
        Checker,
    }

    private sealed record Style(Shape Shape, SKColor Colour, Texture Texture);
}
