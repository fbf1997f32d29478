// expect: compile: at most 999
var s = 1.ToString("D999999999");
