// The tests measure protocol steps in wall-clock time (budgets of 0.5 to 12 s): one at a time, so that a neighbour's
// socat start or pty teardown does not eat into another test's step on a shared 2-core machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
