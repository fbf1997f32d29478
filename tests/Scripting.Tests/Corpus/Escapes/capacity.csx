// expect: compile: Capacity
var l = new List<long>();
l.Capacity = int.MaxValue;
