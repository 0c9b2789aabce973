using System.Runtime.InteropServices;

namespace MlOps.Learning.Trees;

/// <summary>
/// A row's first and second derivative of the loss at its margin, side by side so a histogram gathers both from one
/// cache line.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct GradientPair(double Gradient, double Hessian);
