// expect: compile: dynamic
dynamic d = Basket;
d.Lines.Clear();
