// expect: compile: threads
new System.Threading.Thread(() => { while (true) { } }).Start();
