// Each test here starts a whole host, and a host configures Serilog's process-wide logger: run them one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
