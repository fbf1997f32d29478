// expect: budget: memory
var sb = new System.Text.StringBuilder("x");
sb.Append(sb).Append(sb).Append(sb).Append(sb).Append(sb).Append(sb).Append(sb).Append(sb).Append(sb).Append(sb)
  .Append(sb).Append(sb).Append(sb).Append(sb).Append(sb).Append(sb).Append(sb).Append(sb).Append(sb).Append(sb)
  .Append(sb).Append(sb).Append(sb).Append(sb).Append(sb).Append(sb).Append(sb).Append(sb).Append(sb).Append(sb);
