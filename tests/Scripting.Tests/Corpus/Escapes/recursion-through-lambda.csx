// expect: budget: nested deeper
Func<int, int> f = null;
f = n => f(n + 1);
f(0);
