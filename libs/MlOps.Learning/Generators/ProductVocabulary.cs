namespace MlOps.Learning.Generators;

/// <summary>
/// The words of the product generators: per category, product nouns and description words; brands and filler words
/// shared by every category. <c>product-category</c> uses the first seven categories, <c>product-catalog</c> all eight.
/// </summary>
internal static class ProductVocabulary
{
    public static readonly Category[] Categories =
    [
        new("electronics",
            ["Headphones", "Charger", "Speaker", "Webcam", "Keyboard", "Router", "Monitor", "Earbuds", "Tablet", "Smartwatch"],
            ["wireless", "bluetooth", "battery", "usb", "hdmi", "charging", "screen", "noise", "cancelling", "wifi", "resolution", "port"]),
        new("kitchen",
            ["Skillet", "Blender", "Kettle", "Cookware Set", "Knife", "Toaster", "Mixing Bowl", "Spatula", "Dutch Oven", "Grinder"],
            ["nonstick", "stainless", "dishwasher", "cooking", "baking", "recipes", "oven", "simmer", "blade", "brew", "countertop", "saucepan"]),
        new("toys",
            ["Building Blocks", "Puzzle", "Plush Bear", "Race Car", "Doll House", "Board Game", "Kite", "Robot Kit", "Yo-Yo", "Train Set"],
            ["kids", "children", "playtime", "ages", "imagination", "colorful", "fun", "toddlers", "pieces", "educational", "play", "birthday"]),
        new("sports",
            ["Yoga Mat", "Dumbbell", "Running Shoes", "Tennis Racket", "Water Bottle", "Resistance Bands", "Football", "Bike Helmet", "Jump Rope", "Gym Bag"],
            ["workout", "fitness", "training", "grip", "athletes", "gym", "running", "sweat", "outdoor", "endurance", "exercise", "stamina"]),
        new("beauty",
            ["Moisturizer", "Serum", "Lipstick", "Shampoo", "Face Mask", "Perfume", "Nail Polish", "Hair Dryer", "Cleanser", "Mascara"],
            ["skin", "hydrating", "fragrance", "hair", "vitamin", "glow", "moisture", "gentle", "formula", "complexion", "scent", "cruelty-free"]),
        new("books",
            ["Novel", "Cookbook", "Biography", "Atlas", "Poetry Collection", "Thriller", "Textbook", "Memoir", "Comic", "Travel Guide"],
            ["author", "chapters", "story", "edition", "paperback", "hardcover", "pages", "bestselling", "reader", "illustrated", "narrative", "chapter"]),
        new("garden",
            ["Hose", "Pruning Shears", "Planter", "Lawn Mower", "Seed Kit", "Watering Can", "Rake", "Bird Feeder", "Compost Bin", "Trowel"],
            ["plants", "soil", "lawn", "flowers", "watering", "seeds", "backyard", "weather", "pruning", "weeds", "vegetables", "patio"]),
        new("pets",
            ["Dog Bed", "Cat Tree", "Leash", "Aquarium", "Bird Cage", "Litter Box", "Chew Toy", "Pet Carrier", "Food Bowl", "Scratching Post"],
            ["dogs", "cats", "puppy", "kitten", "paws", "chew", "fur", "treats", "leash", "grooming", "breed", "litter"]),
    ];

    public static readonly string[] Brands =
    [
        "Acme", "Nordix", "Zentra", "Kolibri", "Vantaro", "Lumo", "Brightway", "Orbis", "Pinecrest", "Solano", "Tekka",
        "Maple & Co", "Havn", "Quill", "Everstone",
    ];

    public static readonly string[] Fillers =
    [
        "great", "quality", "perfect", "gift", "everyday", "durable", "design", "premium", "lightweight", "compact",
        "easy", "use", "new", "best", "value", "classic", "modern", "reliable", "popular", "essential",
    ];

    public static string Capitalized(string word) => string.Concat(word[..1].ToUpperInvariant(), word.AsSpan(1));

    /// <summary>A category: its name, ten product nouns and twelve description words.</summary>
    public sealed record Category(string Name, string[] Nouns, string[] Words);
}
