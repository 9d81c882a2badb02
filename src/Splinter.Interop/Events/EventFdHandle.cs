using System;
using System.Runtime.InteropServices;
using Splinter.Interop.Native;

namespace Splinter.Interop;

/// <summary>
/// A Linux file descriptor owned by Splinter.Interop (an eventfd or the event-bus descriptor),
/// closed exactly once when released. Use it to plug the descriptor into your own poll/epoll loop
/// (<c>DangerousAddRef</c>, <c>DangerousGetHandle</c>, <c>DangerousRelease</c>).
/// </summary>
public sealed class EventFdHandle : SafeHandle
{
    /// <summary>Creates an empty (invalid) handle; used by the runtime's marshaller.</summary>
    public EventFdHandle()
        : base(new IntPtr(-1), ownsHandle: true)
    {
    }

    private readonly unsafe delegate* unmanaged[Cdecl]<int, void> _libraryClose;

    internal EventFdHandle(int descriptor)
        : base(new IntPtr(-1), ownsHandle: true)
    {
        SetHandle(new IntPtr(descriptor));
    }

    /// <summary>A descriptor that a library function closes (splinter_event_bus_close for a bus descriptor).</summary>
    internal unsafe EventFdHandle(int descriptor, delegate* unmanaged[Cdecl]<int, void> libraryClose)
        : this(descriptor)
    {
        _libraryClose = libraryClose;
    }

    /// <summary>True when no descriptor is held.</summary>
    public override bool IsInvalid => handle.ToInt64() < 0;

    /// <summary>The descriptor number, valid only while a reference is held (no reference is taken here).</summary>
    internal int Descriptor => (int)handle.ToInt64();

    /// <summary>
    /// Adds 1 to the eventfd counter to wake whoever waits on it, holding a reference for the
    /// write. Best effort: a failed write is ignored (the counter is already non-zero, or the
    /// reader is gone). Throws <see cref="ObjectDisposedException"/> when the handle is closed.
    /// </summary>
    internal unsafe void SignalOne()
    {
        bool referenced = false;
        try
        {
            DangerousAddRef(ref referenced);
            ulong one = 1;
            LibC.write(Descriptor, &one, sizeof(ulong));
        }
        finally
        {
            if (referenced)
            {
                DangerousRelease();
            }
        }
    }

    /// <summary>Closes the descriptor.</summary>
    protected override unsafe bool ReleaseHandle()
    {
        if (_libraryClose != null)
        {
            _libraryClose((int)handle.ToInt64()); // void: closes the descriptor and reports nothing
            return true;
        }

        return LibC.close((int)handle.ToInt64()) == 0;
    }
}
