// expect: compile: reflection
var asm = Basket.GetType().Assembly;
