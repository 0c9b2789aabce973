using System.Text;
using Microsoft.EntityFrameworkCore;

namespace MlOps.ServiceDefaults.Database;

public static class SnakeCaseColumnNames
{
    /// <summary>
    /// Names every column not named explicitly after its property in snake_case (<c>UpdatedAt</c> → <c>updated_at</c>),
    /// the way the SQL migrations spell them. Call it last in <c>OnModelCreating</c>.
    /// </summary>
    public static void UseSnakeCaseColumnNames(this ModelBuilder modelBuilder)
    {
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                if (property.GetColumnName() == property.Name)
                {
                    property.SetColumnName(SnakeCase(property.Name));
                }
            }
        }
    }

    private static string SnakeCase(string name)
    {
        var snake = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                snake.Append('_');
            }

            snake.Append(char.ToLowerInvariant(name[i]));
        }

        return snake.ToString();
    }
}
