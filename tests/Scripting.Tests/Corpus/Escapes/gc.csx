// expect: compile: garbage collector
GC.Collect();
var big = GC.AllocateUninitializedArray<byte>(1 << 30);
