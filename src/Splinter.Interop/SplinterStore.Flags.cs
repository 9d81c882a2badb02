using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using Splinter.Interop.Native;
using Splinter.Interop.Store;

namespace Splinter.Interop;

/// <content>Mop mode, purge, core flags (header) and per-slot user flags.</content>
public sealed unsafe partial class SplinterStore
{
    private enum UserFlagOperation
    {
        Read,
        Set,
        Clear,
        Test,
    }

    /// <summary>Reads the scrub mode (splinter_get_mop).</summary>
    /// <returns>The mode.</returns>
    public SplinterMopMode GetMopMode()
    {
        using (Lease())
        {
            int mode = _api.splinter_get_mop();
            if (mode < 0)
            {
                StoreErrors.Throw("GetMopMode", mode, 0, null);
            }

            return (SplinterMopMode)mode;
        }
    }

    /// <summary>
    /// Sets the scrub mode (splinter_set_mop). libsplinter only adds the auto-scrub bit for
    /// <see cref="SplinterMopMode.Full"/>, so from Hybrid it would stay Hybrid; this method
    /// passes through None first so the requested mode is what <see cref="GetMopMode"/> reports.
    /// </summary>
    /// <param name="mode">The new mode.</param>
    public void SetMopMode(SplinterMopMode mode)
    {
        if (mode is not (SplinterMopMode.None or SplinterMopMode.Hybrid or SplinterMopMode.Full))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown mop mode.");
        }

        using (Lease())
        {
            if (mode == SplinterMopMode.Full)
            {
                SetMopRaw(SplinterMopMode.None);
            }

            SetMopRaw(mode);
        }
    }

    /// <summary>Zeroes the unused tail of every idle slot's value region (splinter_purge); advances each idle slot's epoch by 2.</summary>
    public void Purge()
    {
        using (Lease())
        {
            _api.splinter_purge();
        }

        OnLocalWrite(-1);
    }

    /// <summary>Reads the store's core flag byte (splinter_config_snapshot).</summary>
    /// <returns>The flags.</returns>
    public SplinterCoreFlags GetCoreFlags()
    {
        using (Lease())
        {
            return (SplinterCoreFlags)_api.splinter_config_snapshot(_mapped.Header);
        }
    }

    /// <summary>Atomically sets core flag bits (splinter_config_set). The scrub bits change the mop mode.</summary>
    /// <param name="flags">Bits to set.</param>
    public void SetCoreFlags(SplinterCoreFlags flags)
    {
        using (Lease())
        {
            _api.splinter_config_set(_mapped.Header, (byte)flags);
        }
    }

    /// <summary>Atomically clears core flag bits (splinter_config_clear).</summary>
    /// <param name="flags">Bits to clear.</param>
    public void ClearCoreFlags(SplinterCoreFlags flags)
    {
        using (Lease())
        {
            _api.splinter_config_clear(_mapped.Header, (byte)flags);
        }
    }

    /// <summary>Tests core flag bits (splinter_config_test).</summary>
    /// <param name="flags">Bits to test.</param>
    /// <returns>True if any of them is set.</returns>
    public bool TestCoreFlags(SplinterCoreFlags flags)
    {
        using (Lease())
        {
            return _api.splinter_config_test(_mapped.Header, (byte)flags) != 0;
        }
    }

    /// <summary>Reads the key's slot user flags (splinter_slot_usr_snapshot).</summary>
    /// <param name="key">The key.</param>
    /// <returns>The flags.</returns>
    /// <exception cref="KeyNotFoundException">The key does not exist.</exception>
    [SkipLocalsInit]
    public SplinterSlotUserFlags GetUserFlags(string key)
    {
        KeyBuffer buffer;
        return (SplinterSlotUserFlags)UserFlagsCore(KeyBytes.ForLookup(key, &buffer, out ulong hash), hash, UserFlagOperation.Read, 0);
    }

    /// <summary>Reads a pre-encoded key's slot user flags.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The flags.</returns>
    public SplinterSlotUserFlags GetUserFlags(SplinterKey key)
    {
        byte* padded = key.Pointer;
        SplinterSlotUserFlags answer = (SplinterSlotUserFlags)UserFlagsCore(padded, SplinterKey.HashAt(padded), UserFlagOperation.Read, 0);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
        return answer;
    }

    /// <summary>Atomically sets slot user flag bits (splinter_slot_usr_set).</summary>
    /// <param name="key">The key.</param>
    /// <param name="flags">Bits to set.</param>
    [SkipLocalsInit]
    public void SetUserFlags(string key, SplinterSlotUserFlags flags)
    {
        KeyBuffer buffer;
        UserFlagsCore(KeyBytes.ForLookup(key, &buffer, out ulong hash), hash, UserFlagOperation.Set, flags);
    }

    /// <summary>Atomically sets a pre-encoded key's slot user flag bits.</summary>
    /// <param name="key">The key.</param>
    /// <param name="flags">Bits to set.</param>
    public void SetUserFlags(SplinterKey key, SplinterSlotUserFlags flags)
    {
        byte* padded = key.Pointer;
        UserFlagsCore(padded, SplinterKey.HashAt(padded), UserFlagOperation.Set, flags);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
    }

    /// <summary>Atomically clears slot user flag bits (splinter_slot_usr_clear).</summary>
    /// <param name="key">The key.</param>
    /// <param name="flags">Bits to clear.</param>
    [SkipLocalsInit]
    public void ClearUserFlags(string key, SplinterSlotUserFlags flags)
    {
        KeyBuffer buffer;
        UserFlagsCore(KeyBytes.ForLookup(key, &buffer, out ulong hash), hash, UserFlagOperation.Clear, flags);
    }

    /// <summary>Atomically clears a pre-encoded key's slot user flag bits.</summary>
    /// <param name="key">The key.</param>
    /// <param name="flags">Bits to clear.</param>
    public void ClearUserFlags(SplinterKey key, SplinterSlotUserFlags flags)
    {
        byte* padded = key.Pointer;
        UserFlagsCore(padded, SplinterKey.HashAt(padded), UserFlagOperation.Clear, flags);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
    }

    /// <summary>Tests slot user flag bits (splinter_slot_usr_test).</summary>
    /// <param name="key">The key.</param>
    /// <param name="flags">Bits to test.</param>
    /// <returns>True if any of them is set.</returns>
    [SkipLocalsInit]
    public bool TestUserFlags(string key, SplinterSlotUserFlags flags)
    {
        KeyBuffer buffer;
        return UserFlagsCore(KeyBytes.ForLookup(key, &buffer, out ulong hash), hash, UserFlagOperation.Test, flags) != 0;
    }

    /// <summary>Tests a pre-encoded key's slot user flag bits.</summary>
    /// <param name="key">The key.</param>
    /// <param name="flags">Bits to test.</param>
    /// <returns>True if any of them is set.</returns>
    public bool TestUserFlags(SplinterKey key, SplinterSlotUserFlags flags)
    {
        byte* padded = key.Pointer;
        bool answer = UserFlagsCore(padded, SplinterKey.HashAt(padded), UserFlagOperation.Test, flags) != 0;
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
        return answer;
    }

    private void SetMopRaw(SplinterMopMode mode)
    {
        int error = 0;
        int result = _api.splinter_set_mop_errno((uint)mode, &error);
        if (result != 0)
        {
            StoreErrors.Throw("SetMopMode", result, error, null);
        }
    }

    /// <summary>
    /// The user-flag calls take a slot pointer (libsplinter has no key-addressed form), so the slot is found in the mapping
    /// and the call made inside a seqlock pass that checks the slot holds the key: if a write entered the slot meanwhile
    /// (it may have changed owner), bits this call changed on a slot that no longer holds the key are put back and the
    /// call is made again on the key's slot (setting and clearing bits is idempotent). The window in which another
    /// process could change the same bits of the new owner between the two is a few instructions wide.
    /// </summary>
    private int UserFlagsCore(byte* key, ulong hash, UserFlagOperation operation, SplinterSlotUserFlags flags)
    {
        using (Lease())
        {
            ContentionRetry retry = default;
            ulong epoch = 0;
            while (true)
            {
                splinter_slot* slot = _mapped.Find(key, hash);
                if (slot == null)
                {
                    StoreErrors.ThrowKeyNotFound(operation + "UserFlags", key);
                }

                if (MappedStore.TryBegin(slot, out epoch) && MappedStore.Holds(slot, key, hash))
                {
                    UserFlagsRaceWindow?.Invoke();
                    byte before = Volatile.Read(ref slot->user_flag);
                    int answer = operation switch
                    {
                        UserFlagOperation.Set => Apply(slot, flags, set: true),
                        UserFlagOperation.Clear => Apply(slot, flags, set: false),
                        UserFlagOperation.Test => _api.splinter_slot_usr_test(slot, (ushort)flags),
                        _ => _api.splinter_slot_usr_snapshot(slot),
                    };

                    if (MappedStore.End(slot, epoch))
                    {
                        if (operation is UserFlagOperation.Set or UserFlagOperation.Clear)
                        {
                            OnLocalWrite(_mapped.IndexOf(slot));
                        }

                        return answer;
                    }

                    if (operation is UserFlagOperation.Set or UserFlagOperation.Clear && !MappedStore.Holds(slot, key, hash))
                    {
                        // The bits may have landed on the slot's new owner: undo exactly what this call changed.
                        byte changed = operation == UserFlagOperation.Set ? (byte)((byte)flags & ~before) : (byte)((byte)flags & before);
                        Apply(slot, (SplinterSlotUserFlags)changed, set: operation != UserFlagOperation.Set);
                    }
                }

                if (!retry.Wait(_contentionBudget))
                {
                    StoreErrors.ThrowContention(key, epoch);
                }
            }
        }
    }

    /// <summary>Tests only: runs where a concurrent remove and set would make the slot change owner under a user-flag call.</summary>
    internal static Action? UserFlagsRaceWindow { get; set; }

    private int Apply(splinter_slot* slot, SplinterSlotUserFlags flags, bool set)
    {
        if (set)
        {
            _api.splinter_slot_usr_set(slot, (ushort)flags);
        }
        else
        {
            _api.splinter_slot_usr_clear(slot, (ushort)flags);
        }

        return 0;
    }
}
