// expect: compile: load assemblies
var a = System.Reflection.Assembly.Load(new byte[] { 0 });
