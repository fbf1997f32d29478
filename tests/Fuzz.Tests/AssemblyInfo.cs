// The pipe fuzzer measures one child host's memory and uses both cores: the card fuzzers wait their turn.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
