using System.Buffers;
using System.Collections.Generic;
using Splinter.Interop.Store;

namespace Splinter.Interop;

/// <content>Key listing.</content>
public sealed unsafe partial class SplinterStore
{
    /// <summary>
    /// Lists the keys with a non-empty value, in slot order (splinter_list). The keys are copied
    /// out of the shared mapping immediately; concurrent writers may change the store meanwhile.
    /// </summary>
    /// <returns>The keys.</returns>
    public IReadOnlyList<string> GetKeys()
    {
        using (Lease())
        {
            nint[] pointers = ArrayPool<nint>.Shared.Rent(checked((int)SlotCount));
            try
            {
                nuint count = 0;
                int result;
                fixed (nint* keys = pointers)
                {
                    result = _api.splinter_list((sbyte**)keys, SlotCount, &count);
                }

                NativeCall.Check(this, "GetKeys", null, ResultConvention.NegativeFails, result);

                var list = new string[(int)count];
                for (int i = 0; i < list.Length; i++)
                {
                    list[i] = KeyBytes.Decode((byte*)pointers[i]);
                }

                return list;
            }
            finally
            {
                ArrayPool<nint>.Shared.Return(pointers);
            }
        }
    }
}
