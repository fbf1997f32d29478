// expect: compile: reflection
var asm = typeof(PricedLine).Assembly;
