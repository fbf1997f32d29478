// expect: compile: multi-dimensional
var m = new long[50_000, 50_000];
