// expect: compile: #r and #load
#r "System.IO.dll"
var x = 1;
