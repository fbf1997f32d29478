// expect: compile: interpolation width
var s = $"{1,999999999}";
