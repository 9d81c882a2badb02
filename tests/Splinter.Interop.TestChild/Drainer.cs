using System;
using System.Text;
using Splinter.Interop.Native;

namespace Splinter.Interop.TestChild;

/// <summary>
/// A consumer written the way upstream's own tools wait: raw calls only, looping on
/// splinter_event_bus_wait, which reads (drains) the shared counter on every wake-up.
/// It runs beside our watchers to prove it cannot steal their wake-ups.
/// </summary>
internal static unsafe class Drainer
{
    internal static int Run(string storeName)
    {
        byte[] name = Encoding.UTF8.GetBytes(storeName + "\0");
        byte[] done = Encoding.UTF8.GetBytes(Program.DoneKey + "\0");
        fixed (byte* namePointer = name)
        fixed (byte* donePointer = done)
        {
            if (LibSplinter.splinter_open((sbyte*)namePointer) != 0)
            {
                Console.Error.WriteLine("drain: splinter_open failed");
                return 4;
            }

            try
            {
                int fd = LibSplinter.splinter_event_bus_open();
                if (fd < 0)
                {
                    Console.Error.WriteLine("drain: splinter_event_bus_open failed");
                    return 4;
                }

                Program.Ready();
                long drained = 0;
                DateTime giveUp = DateTime.UtcNow.AddSeconds(60);
                while (DateTime.UtcNow < giveUp)
                {
                    if (LibSplinter.splinter_event_bus_wait(fd, 100) == 0)
                    {
                        drained++;
                    }
                    else if (LibSplinter.splinter_get_epoch((sbyte*)donePointer) != 0)
                    {
                        // The writer finished and the bus stayed quiet for one timeout.
                        break;
                    }
                }

                LibSplinter.splinter_event_bus_close(fd);
                Console.WriteLine($"stat drained {drained}");
                return 0;
            }
            finally
            {
                LibSplinter.splinter_close();
            }
        }
    }
}
