// expect: budget: elements or characters at once
var sb = new System.Text.StringBuilder();
sb.Append('x', 1 << 30);
