namespace Splinter.Interop;

/// <summary>Linux errno values that libsplinter reports (x86_64 and arm64 share these numbers).</summary>
public static class Errno
{
    /// <summary>Operation not permitted.</summary>
    public const int EPERM = 1;
    /// <summary>No such file or directory.</summary>
    public const int ENOENT = 2;
    /// <summary>No such process.</summary>
    public const int ESRCH = 3;
    /// <summary>Interrupted system call.</summary>
    public const int EINTR = 4;
    /// <summary>Bad file descriptor.</summary>
    public const int EBADF = 9;
    /// <summary>Try again (busy slot or nothing to read).</summary>
    public const int EAGAIN = 11;
    /// <summary>Out of memory.</summary>
    public const int ENOMEM = 12;
    /// <summary>Permission denied.</summary>
    public const int EACCES = 13;
    /// <summary>Bad address (our libsplinter: a value region outside the store's arena).</summary>
    public const int EFAULT = 14;
    /// <summary>File exists.</summary>
    public const int EEXIST = 17;
    /// <summary>No such device (event bus not armed).</summary>
    public const int ENODEV = 19;
    /// <summary>Is a directory.</summary>
    public const int EISDIR = 21;
    /// <summary>Invalid argument.</summary>
    public const int EINVAL = 22;
    /// <summary>No space left (shard table full).</summary>
    public const int ENOSPC = 28;
    /// <summary>Function not implemented.</summary>
    public const int ENOSYS = 38;
    /// <summary>Too many symbolic links.</summary>
    public const int ELOOP = 40;
    /// <summary>Message too long (value or buffer size).</summary>
    public const int EMSGSIZE = 90;
    /// <summary>Wrong type (integer operation on a non-BIGUINT slot).</summary>
    public const int EPROTOTYPE = 91;
    /// <summary>Operation not supported.</summary>
    public const int EOPNOTSUPP = 95;
    /// <summary>Timed out.</summary>
    public const int ETIMEDOUT = 110;

    /// <summary>The symbolic name of an errno value, or "errno N".</summary>
    public static string Name(int errno) => errno switch
    {
        EPERM => "EPERM",
        ENOENT => "ENOENT",
        ESRCH => "ESRCH",
        EINTR => "EINTR",
        EBADF => "EBADF",
        EAGAIN => "EAGAIN",
        ENOMEM => "ENOMEM",
        EACCES => "EACCES",
        EFAULT => "EFAULT",
        EEXIST => "EEXIST",
        ENODEV => "ENODEV",
        EISDIR => "EISDIR",
        EINVAL => "EINVAL",
        ENOSPC => "ENOSPC",
        ENOSYS => "ENOSYS",
        ELOOP => "ELOOP",
        EMSGSIZE => "EMSGSIZE",
        EPROTOTYPE => "EPROTOTYPE",
        EOPNOTSUPP => "EOPNOTSUPP",
        ETIMEDOUT => "ETIMEDOUT",
        _ => "errno " + errno.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
