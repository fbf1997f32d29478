// expect: budget: steps
while (true) { }
