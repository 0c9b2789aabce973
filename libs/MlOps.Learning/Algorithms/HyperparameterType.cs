namespace MlOps.Learning.Algorithms;

/// <summary>What a hyperparameter's value is: a number, a whole number, true or false, or one of a few names.</summary>
public enum HyperparameterType
{
    Number,
    WholeNumber,
    Boolean,
    Choice,
}
