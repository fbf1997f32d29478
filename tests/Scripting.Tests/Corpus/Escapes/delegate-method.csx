// expect: compile: reflection on delegates
Func<int> f = () => 1;
var m = f.Method;
