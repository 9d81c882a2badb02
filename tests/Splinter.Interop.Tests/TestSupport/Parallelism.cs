using NUnit.Framework;

// Fixtures run in parallel: each open store has its own library copy, so store tests no longer share process
// state. Fixtures that stay [NonParallelizable] say why at their declaration: the raw layer's process-global library
// (Raw), descriptor and mapping counts of the whole process (EventFd, EventBus, CrossProcessEvent, Reliability),
// latency and allocation measurements, the process-wide umask of private creates (Lifecycle, Security), the reuse of
// freed address ranges (MappingRead) and unprivileged children (Security). NonParallelizable goes on fixtures: on a
// single test NUnit does not keep other fixtures from running beside it.
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(4)]
