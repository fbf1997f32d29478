// expect: compile: native code
var p = System.Runtime.InteropServices.Marshal.AllocHGlobal(1 << 30);
