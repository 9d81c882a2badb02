using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;

namespace Splinter.Interop.Tests.TestSupport;

/// <summary>Observes a thread from outside through /proc: where it is blocked, by its kernel thread id.</summary>
internal static partial class NativeThreads
{
    private const long SysNanosleep = 35;
    private const long SysClockNanosleep = 230;

    /// <summary>The calling thread's kernel thread id.</summary>
    public static int CurrentId() => Gettid();

    /// <summary>
    /// Waits until thread <paramref name="tid"/> of this process is blocked in nanosleep or clock_nanosleep (the
    /// first field of /proc/self/task/TID/syscall), e.g. inside splinter_poll's 10 ms sleeps.
    /// </summary>
    public static void WaitUntilSleeping(int tid, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        string path = $"/proc/self/task/{tid}/syscall";
        while (true)
        {
            string first = File.ReadAllText(path).Split(' ', 2)[0];
            if (long.TryParse(first, out long number) && number is SysNanosleep or SysClockNanosleep)
            {
                return;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"thread {tid} did not reach a sleep within {timeout} (syscall: {first})");
            }

            Thread.Sleep(1);
        }
    }

    [LibraryImport("libc.so.6", EntryPoint = "gettid")]
    private static partial int Gettid();
}
