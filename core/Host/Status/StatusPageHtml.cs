using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Middleware.Host.Status;

/// <summary>
/// The operator status page: plain HTML rendered here from the snapshot, no external asset (the till network is
/// offline), and a small inline script that fetches <c>/status.json</c> every 5 s and renders the same layout again.
/// Every value is HTML-encoded here and set as text by the script: reader names, script errors and log messages are
/// hostile.
/// </summary>
internal static class StatusPageHtml
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Default;

    public static string Render(StatusSnapshot snapshot)
    {
        var json = JsonSerializer.SerializeToElement(snapshot, StatusJson.Options);
        var page = new StringBuilder(32 * 1024);
        page.Append("""
            <!DOCTYPE html>
            <html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Intergiciel Izly/Crous : état</title>
            <style>
            body{font:14px/1.4 system-ui,sans-serif;margin:1em 2em;color:#222}
            h1{font-size:1.4em;margin:.2em 0}h2{font-size:1.1em;margin:1.2em 0 .3em}
            table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.2em .4em;text-align:left;vertical-align:top;word-break:break-word}
            th{background:#eef}.error{color:#a00;font-weight:bold}.meta{color:#777;font-size:.85em;margin:.2em 0}
            #refresh{color:#555}#refresh.failed{color:#a00}
            </style></head><body>
            <h1>Intergiciel Izly/Crous : état de l'hôte</h1>
            <p id="refresh">Page mise à jour toutes les 5 s.</p>
            <main id="status">
            """);
        page.Append("<section id=\"part-host\"><h2>Hôte</h2><table><tbody>");
        var host = json.GetProperty("host");
        foreach (var column in StatusPageLayout.HostColumns)
        {
            page.Append("<tr><th>").Append(Html.Encode(column.Label)).Append("</th><td>")
                .Append(Html.Encode(StatusCellFormatter.Format(host.GetProperty(column.Field), column.Format))).Append("</td></tr>");
        }

        page.Append("</tbody></table></section>\n");
        foreach (var section in StatusPageLayout.Sections)
        {
            AppendSection(page, section, json.GetProperty(section.Part));
        }

        page.Append("</main>\n<script type=\"application/json\" id=\"layout\">")
            // The default encoder escapes < > & in strings: the JSON cannot close this script element.
            .Append(JsonSerializer.Serialize(new { host = StatusPageLayout.HostColumns, sections = StatusPageLayout.Sections }, StatusJson.Options))
            .Append("</script>\n<script>").Append(Script).Append("</script>\n</body></html>\n");
        return page.ToString();
    }

    private static void AppendSection(StringBuilder page, StatusSection section, JsonElement part)
    {
        page.Append("<section id=\"part-").Append(section.Part).Append("\"><h2>").Append(Html.Encode(section.Title)).Append("</h2>");
        if (part.GetProperty("error").GetString() is { } error)
        {
            page.Append("<p class=\"error\">").Append(Html.Encode(error)).Append("</p>");
        }

        page.Append("<table><thead><tr>");
        foreach (var column in section.Columns)
        {
            page.Append("<th>").Append(Html.Encode(column.Label)).Append("</th>");
        }

        page.Append("</tr></thead><tbody>");
        var items = part.GetProperty("items");
        if (items.GetArrayLength() == 0)
        {
            page.Append("<tr><td colspan=\"").Append(section.Columns.Count).Append("\">aucun</td></tr>");
        }

        foreach (var item in items.EnumerateArray())
        {
            page.Append("<tr>");
            foreach (var column in section.Columns)
            {
                var value = item.TryGetProperty(column.Field, out var v) ? v : default;
                page.Append("<td>").Append(Html.Encode(StatusCellFormatter.Format(value, column.Format))).Append("</td>");
            }

            page.Append("</tr>");
        }

        page.Append("</tbody></table><p class=\"meta\">").Append(items.GetArrayLength()).Append(" ligne(s), ")
            .Append(part.GetProperty("durationMs").GetInt64()).Append(" ms</p></section>\n");
    }

    // The same layout and formats as the server's render (StatusCellFormatter), built with textContent only.
    private const string Script = """
        (function () {
          'use strict';
          var layout = JSON.parse(document.getElementById('layout').textContent);
          var missing = '\u2014';
          function pad(n) { return (n < 10 ? '0' : '') + n; }
          function duration(v) {
            var s = Math.floor(v + 0.5);
            if (s < 60) return s + ' s';
            if (s < 3600) return Math.floor(s / 60) + ' min ' + pad(s % 60) + ' s';
            if (s < 86400) return Math.floor(s / 3600) + ' h ' + pad(Math.floor(s % 3600 / 60)) + ' min';
            return Math.floor(s / 86400) + ' j ' + Math.floor(s % 86400 / 3600) + ' h';
          }
          function item(x) {
            if (x === null || typeof x !== 'object') return format(x, 'text');
            var values = Object.keys(x).map(function (k) { return format(x[k], 'text'); });
            return values.length > 1 ? values[0] + ': ' + values.slice(1).join(' / ') : values.join('');
          }
          function format(v, f) {
            if (v === null || v === undefined) return missing;
            if (f === 'money' && typeof v === 'number') return v.toFixed(2);
            if (f === 'seconds' && typeof v === 'number') return duration(v);
            if (f === 'time' && typeof v === 'string') return v.substring(0, 19).replace('T', ' ');
            if (typeof v === 'boolean') return v ? 'oui' : 'non';
            if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(2);
            if (Array.isArray(v)) return v.length === 0 ? missing : v.map(item).join(', ');
            if (typeof v === 'object') return item(v);
            return String(v);
          }
          function el(tag, text) { var e = document.createElement(tag); if (text !== undefined) e.textContent = text; return e; }
          function hostSection(host) {
            var s = el('section'); s.id = 'part-host'; s.appendChild(el('h2', 'Hôte'));
            var t = el('table'), b = el('tbody');
            layout.host.forEach(function (c) { var r = el('tr'); r.appendChild(el('th', c.label)); r.appendChild(el('td', format(host[c.field], c.format.toLowerCase()))); b.appendChild(r); });
            t.appendChild(b); s.appendChild(t); return s;
          }
          function section(def, part) {
            var s = el('section'); s.id = 'part-' + def.part; s.appendChild(el('h2', def.title));
            if (part.error) { var p = el('p', part.error); p.className = 'error'; s.appendChild(p); }
            var t = el('table'), h = el('tr'), b = el('tbody'), head = el('thead');
            def.columns.forEach(function (c) { h.appendChild(el('th', c.label)); });
            head.appendChild(h); t.appendChild(head);
            if (part.items.length === 0) { var r0 = el('tr'), c0 = el('td', 'aucun'); c0.colSpan = def.columns.length; r0.appendChild(c0); b.appendChild(r0); }
            part.items.forEach(function (it) {
              var r = el('tr');
              def.columns.forEach(function (c) { r.appendChild(el('td', format(it[c.field], c.format.toLowerCase()))); });
              b.appendChild(r);
            });
            t.appendChild(b); s.appendChild(t);
            var m = el('p', part.items.length + ' ligne(s), ' + part.durationMs + ' ms'); m.className = 'meta'; s.appendChild(m);
            return s;
          }
          function render(snapshot) {
            var main = document.getElementById('status');
            var next = [hostSection(snapshot.host)];
            layout.sections.forEach(function (def) { next.push(section(def, snapshot[def.part])); });
            main.replaceChildren.apply(main, next);
          }
          function refresh() {
            var status = document.getElementById('refresh');
            fetch('/status.json', { credentials: 'same-origin', cache: 'no-store' })
              .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
              .then(function (s) { render(s); status.className = ''; status.textContent = 'Mis à jour à ' + new Date().toLocaleTimeString() + ' (toutes les 5 s).'; })
              .catch(function (e) { status.className = 'failed'; status.textContent = 'Échec de la mise à jour : ' + e.message; });
          }
          setInterval(refresh, 5000);
        })();
        """;
}
