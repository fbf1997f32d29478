// expect: compile: unsafe code
var x = System.Runtime.CompilerServices.Unsafe.As<object, string>(ref System.Runtime.CompilerServices.Unsafe.NullRef<object>());
