namespace Splinter.Interop;

/// <summary>Operation applied in place to a BIGUINT slot's 64-bit value (splinter_integer_op_t).</summary>
public enum SplinterIntegerOperation
{
    /// <summary>value &amp;= operand.</summary>
    And = 0,

    /// <summary>value |= operand.</summary>
    Or = 1,

    /// <summary>value ^= operand.</summary>
    Xor = 2,

    /// <summary>value = ~value (the operand is ignored).</summary>
    Not = 3,

    /// <summary>value += operand (wraps modulo 2^64).</summary>
    Increment = 4,

    /// <summary>value -= operand (wraps modulo 2^64).</summary>
    Decrement = 5,
}
