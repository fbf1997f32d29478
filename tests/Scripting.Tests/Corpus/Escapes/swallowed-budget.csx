// expect: budget: steps
while (true) { try { while (true) { } } catch { } }
